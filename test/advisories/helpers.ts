// Shared by the advisory and store tests: fixture paths, temp dirs, reading fixture records
// straight from the files (independently of the importers under test).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'advisories');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Parses a .jsonl.gz fixture with plain zlib + JSON.parse, for expectations. */
export function rawRecords(name: string): Record<string, unknown>[] {
  return gunzipSync(readFileSync(fixture(name)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

type RawAffected = { package?: { ecosystem: string; name: string } };

/** Ids of raw records with an affected entry for (ecosystem, name) as spelled in the file. */
export function rawIdsFor(records: Record<string, unknown>[], ecosystem: string, name: string): string[] {
  return records
    .filter((r) => ((r.affected as RawAffected[] | undefined) ?? []).some((a) => a.package?.ecosystem === ecosystem && a.package?.name === name))
    .map((r) => r.id as string)
    .sort();
}

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'scout-adv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
