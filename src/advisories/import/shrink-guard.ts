/**
 * The rule that keeps a bad feed from wiping good data, above any store (SQLite or PostgreSQL):
 * a batch with no valid record, or a whole-feed ('replace') batch that would leave its source
 * with less than half of the records it has, fails unless the caller allows it. The check runs
 * as the store reads the last record: the error is thrown from the record stream, and a store's
 * import is all or nothing, so the previous data stays exactly as it was.
 */
import type { AdvisoryStore, ImportBatch, RecordStream } from '../../store/advisory-store.js';
import { ScoutError } from '../../util/errors.js';

export interface ShrinkOptions {
  /** Import anyway: an empty feed empties its source, a small one deletes what it lacks. */
  allowShrink?: boolean;
  /** Named in the error (the file or URL). */
  input?: string;
}

/** A replace import keeping fewer than this share of a source's records is refused. */
export const MIN_KEPT_SHARE = 0.5;

async function* checked<T>(records: RecordStream<T>, key: (r: T) => string, check: (distinct: number) => void): AsyncGenerator<T> {
  const ids = new Set<string>();
  for await (const r of records) {
    ids.add(key(r));
    yield r;
  }
  check(ids.size);
}

/** The batch, its records wrapped so that a shrinking import fails before the store commits. */
export async function guardShrink(store: AdvisoryStore, batch: ImportBatch, opts: ShrinkOptions = {}): Promise<ImportBatch> {
  if (opts.allowShrink) return batch;
  const replaces = batch.kind !== 'advisories' || batch.mode === 'replace';
  const name = batch.source.name;
  const before = replaces ? ((await store.status()).sources.find((s) => s.name === name)?.count ?? 0) : 0;
  const where = opts.input ? `${opts.input}: ` : '';
  const check = (n: number) => {
    if (n === 0) {
      throw new ScoutError('feed-empty', `${where}no valid record${replaces && before ? `; importing it would delete all ${before} records of ${name}` : ''}. Nothing was changed (--allow-shrink imports it anyway)`, { path: opts.input });
    }
    if (replaces && before > 0 && n < before * MIN_KEPT_SHARE) {
      throw new ScoutError('feed-shrink', `${where}${n} valid records where ${name} has ${before}: importing it would delete at least ${before - n} of them. Nothing was changed (--allow-shrink imports it anyway)`, { path: opts.input });
    }
  };
  switch (batch.kind) {
    case 'advisories':
      return { ...batch, records: checked(batch.records, (a) => a.id, check) };
    case 'kev':
      return { ...batch, entries: checked(batch.entries, (e) => e.cve, check) };
    case 'epss':
      return { ...batch, entries: checked(batch.entries, (e) => e.cve, check) };
  }
}
