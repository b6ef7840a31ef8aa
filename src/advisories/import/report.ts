/**
 * What an importer did with a feed: how many items it saw, kept and skipped, and why. Filled in
 * while the record stream is consumed; a bad item never stops the import.
 */
import { Warnings } from '../../util/errors.js';

export interface SkippedItem {
  /** Where in the feed: 'line 12', a file name inside a zip or directory, a package/CVE key. */
  where: string;
  id?: string;
  reason: string;
  detail: string;
}

/** How many skipped items are reported individually (warnings and `samples`). */
export const SKIP_SAMPLE_LIMIT = 100;

export class ImportReport {
  /** Input items looked at (lines, files, package entries, rows). */
  seen = 0;
  /** Records handed to the store. May differ from `seen` for feeds that group or split items. */
  accepted = 0;
  /** Input items rejected; `reasons` says why. */
  skipped = 0;
  /** Entries that say a package is NOT affected (tracker fixed_version "0", secdb "0"). */
  notAffected = 0;
  /** reason code → number of skipped items. */
  readonly reasons: Record<string, number> = {};
  /** Parts dropped from kept records, or other things worth counting (code → count). */
  readonly notes: Record<string, number> = {};
  readonly samples: SkippedItem[] = [];

  constructor(readonly file: string, readonly warnings: Warnings = new Warnings()) {}

  skip(where: string, reason: string, detail: string, id?: string): void {
    this.skipped++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    if (this.samples.length < SKIP_SAMPLE_LIMIT) {
      this.samples.push(id === undefined ? { where, reason, detail } : { where, id, reason, detail });
      this.warnings.add('advisory-skipped', `${where}${id ? ` (${id})` : ''}: ${reason}: ${detail}`, { path: this.file });
    } else if (this.samples.length === SKIP_SAMPLE_LIMIT && this.skipped === SKIP_SAMPLE_LIMIT + 1) {
      this.warnings.add('advisory-skipped', `more than ${SKIP_SAMPLE_LIMIT} items skipped; see the import report counts`, { path: this.file });
    }
  }

  note(code: string, n = 1): void {
    this.notes[code] = (this.notes[code] ?? 0) + n;
  }
}
