// Child process for the match benchmark, on the built JavaScript: opens an advisory database
// another process imported (as `scout cves` opens the one `scout db import` filled), matches an
// SBOM once cold and then RUNS times, and times the store's lookups alone. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { match, ecosystemFor } from '../../dist/match/index.js';
import { SqliteAdvisoryStore } from '../../dist/store/sqlite/sqlite-store.js';

const [dbPath, sbomPath, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg ?? 15);
const sbom = JSON.parse(readFileSync(sbomPath, 'utf8'));
const store = new SqliteAdvisoryStore(dbPath, { readonly: true });
// As the CLI does: the sources are read once and passed along.
const sources = await store.sources();
const t0 = performance.now();
const first = await match(sbom, store, { sources });
const firstMs = performance.now() - t0;
const times = [];
const cpu = process.cpuUsage();
for (let i = 0; i < RUNS; i++) {
  const s = performance.now();
  await match(sbom, store, { sources });
  times.push(performance.now() - s);
}
const used = process.cpuUsage(cpu);

// The store's share: the same distinct lookups the matcher makes, alone; answers remembered,
// then from connections that have read nothing yet (SQLite reads each row, its JSON is parsed).
const keys = new Map();
for (const p of sbom.packages) {
  const m = ecosystemFor(p, sbom.distro);
  if (m.ok) for (const e of m.query.ecosystems) keys.set(`${e}\0${m.query.name}`, [e, m.query.name]);
}
const lookupTimes = [];
for (let i = 0; i < RUNS; i++) {
  const s = performance.now();
  for (const [e, n] of keys.values()) await store.lookup(e, n);
  lookupTimes.push(performance.now() - s);
}
const coldLookupTimes = [];
for (let i = 0; i < 5; i++) {
  const fresh = new SqliteAdvisoryStore(dbPath, { readonly: true });
  const s = performance.now();
  for (const [e, n] of keys.values()) await fresh.lookup(e, n);
  coldLookupTimes.push(performance.now() - s);
  await fresh.close();
}
await store.close();
console.log(JSON.stringify({
  ms: firstMs,
  maxRssKb: process.resourceUsage().maxRSS,
  firstMs,
  findings: first.findings.length,
  notMatchable: first.notMatchable.length,
  lookups: first.stats.queries,
  evaluated: first.stats.advisoriesEvaluated,
  skipped: Object.values(first.skippedByReason).reduce((a, b) => a + b, 0),
  times,
  cpuMsPerMatch: (used.user + used.system) / 1000 / RUNS,
  distinctLookups: keys.size,
  lookupTimes,
  coldLookupTimes,
}));
