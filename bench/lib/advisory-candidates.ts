/**
 * Packages that advisories name, at versions inside their affected ranges: benchmark SBOMs
 * built from them have real findings, as a real image's SBOM does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Advisory } from '../../src/advisories/model.js';

/** The OSV records of a `.osv.jsonl.gz` file (none when it is absent). */
export function osvRecords(path: string): Advisory[] {
  if (!existsSync(path)) return [];
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Advisory);
}

/** (name, a version inside one of its ranges) per package an ecosystem's records name. */
export function candidates(recs: Advisory[], ecosystem: string): { name: string; version: string }[] {
  const out = new Map<string, string>();
  for (const r of recs) {
    for (const a of r.affected ?? []) {
      if (a.package?.ecosystem !== ecosystem || out.has(a.package.name)) continue;
      const listed = a.versions?.[0];
      const intro = a.ranges?.flatMap((x) => x.events).map((e) => ('introduced' in e ? e.introduced : undefined)).find((v) => v && v !== '0');
      const version = listed ?? intro ?? (ecosystem === 'Go' ? 'v0.0.1' : '0.0.1');
      out.set(a.package.name, ecosystem === 'Go' && !version.startsWith('v') ? `v${version}` : version);
    }
  }
  return [...out].map(([name, version]) => ({ name, version }));
}
