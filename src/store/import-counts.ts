/** What an import of a whole set (KEV, EPSS) changed: both stores diff the old rows with the new. */
import type { StoreImportCounts } from './advisory-store.js';

/** Rows by key → their value, before and after: inserted, updated, unchanged and deleted. */
export function diffCounts(old: ReadonlyMap<string, string>, fresh: ReadonlyMap<string, string>): StoreImportCounts {
  const counts: StoreImportCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  for (const [k, v] of fresh) {
    const o = old.get(k);
    if (o === undefined) counts.inserted++;
    else if (o === v) counts.unchanged++;
    else counts.updated++;
  }
  for (const k of old.keys()) if (!fresh.has(k)) counts.deleted++;
  return counts;
}
