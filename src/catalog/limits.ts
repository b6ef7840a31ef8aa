import type { Warnings } from '../util/errors.js';

/**
 * Most entries read from one package database or lockfile (stanzas, lock entries, modules).
 * Far above any real image (a full Debian archive is ~65,000 packages) and still bounded, so a
 * hostile file costs linear time; what lies past it is skipped with a warning naming the file.
 */
export const MAX_ENTRIES_PER_FILE = 1_000_000;

/** Say so when a file's entries reached the cap: the packages past it were not read. */
export function warnIfCapped(count: number, path: string, warnings: Warnings, what = 'entries'): void {
  if (count >= MAX_ENTRIES_PER_FILE) {
    warnings.add('too-many-entries', `${path}: over ${MAX_ENTRIES_PER_FILE} ${what}; only the first ${MAX_ENTRIES_PER_FILE} were read`, { path });
  }
}
