// The matcher builds range traces when they are read and remembers per-record work between
// matches (sorted range events, ratings, alias keys). None of that may change a result: these
// tests compare lazy with eager tracing, a first with a repeated match, and shared with fresh
// advisory objects, on the real fixture feeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory } from '../../src/advisories/model.js';
import { match } from '../../src/match/index.js';
import { evaluateAffected } from '../../src/match/osv-range.js';
import type { Package } from '../../src/sbom/model.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { schemeForEcosystem } from '../../src/versions/index.js';
import { DEBIAN_12, deb, pkg, rawRecords, sbomOf, storeWith } from './helpers.js';

const FEEDS = [
  'debian-selected.osv.jsonl.gz',
  'debian-tracker.json',
  'alpine-selected.osv.jsonl.gz',
  'pypi.osv.jsonl.gz',
  'go.osv.jsonl.gz',
  'maven-ghsa-sample.osv.jsonl.gz',
  'match/ghsa-npm-lodash-marked.osv.jsonl.gz',
  'cisa-kev.json',
];

/** Every version an entry names (range events other than "0", listed versions), per ecosystem and package. */
function namedVersions(records: Advisory[]): Map<string, { ecosystem: string; name: string; versions: Set<string> }> {
  const out = new Map<string, { ecosystem: string; name: string; versions: Set<string> }>();
  for (const r of records) {
    for (const a of r.affected ?? []) {
      if (!a.package) continue;
      const key = `${a.package.ecosystem}\0${a.package.name}`;
      if (!out.has(key)) out.set(key, { ecosystem: a.package.ecosystem, name: a.package.name, versions: new Set() });
      const vs = out.get(key)!.versions;
      for (const rg of a.ranges ?? []) for (const e of rg.events) for (const v of Object.values(e)) if (typeof v === 'string' && v !== '0') vs.add(v);
      for (const v of (a.versions ?? []).slice(0, 3)) vs.add(v);
    }
  }
  return out;
}

/** Packages at every version the fixture records name: inside ranges, on fixes, on boundaries. */
function fixtureSbomPackages(): Package[] {
  const pkgs: Package[] = [];
  const records = FEEDS.filter((f) => f.endsWith('.jsonl.gz')).flatMap((f) => rawRecords(f));
  for (const { ecosystem, name, versions } of namedVersions(records).values()) {
    for (const v of versions) {
      const n = pkgs.length;
      if (ecosystem === 'Debian:12') pkgs.push({ ...deb(`${name}-bin`, v, name), id: `p${n}` });
      else if (ecosystem.startsWith('Alpine:')) pkgs.push(pkg({ id: `p${n}`, name, version: v, purl: `pkg:apk/alpine/${name}@${encodeURIComponent(v)}?distro=alpine-${ecosystem.slice(8)}.0`, source: { name, version: v } }));
      else if (ecosystem === 'PyPI') pkgs.push(pkg({ id: `p${n}`, name, version: v, purl: `pkg:pypi/${name}@${encodeURIComponent(v)}` }));
      else if (ecosystem === 'npm') pkgs.push(pkg({ id: `p${n}`, name, version: v, purl: `pkg:npm/${name}@${encodeURIComponent(v)}` }));
      else if (ecosystem === 'Maven') {
        const [group, artifact] = name.split(':');
        pkgs.push(pkg({ id: `p${n}`, name: artifact, namespace: group, version: v, purl: `pkg:maven/${group}/${artifact}@${encodeURIComponent(v)}` }));
      } else if (ecosystem === 'Go') {
        const slash = name.lastIndexOf('/');
        const gv = v.startsWith('v') ? v : `v${v}`;
        const purl = slash > 0 ? `pkg:golang/${name.slice(0, slash)}/${name.slice(slash + 1)}@${gv}` : `pkg:golang/${name}@${gv}`;
        pkgs.push(pkg({ id: `p${n}`, name: slash > 0 ? name.slice(slash + 1) : name, version: gv, purl }));
      }
    }
  }
  return pkgs;
}

test('findings are the same with traces built lazily or while matching, and a repeated match gives the same result', async (t) => {
  const store = await storeWith(t, FEEDS);
  const sbom = sbomOf(fixtureSbomPackages(), DEBIAN_12);
  const types = new Set(sbom.packages.map((p) => p.type));
  assert.deepEqual([...types].sort(), ['apk', 'deb', 'golang', 'maven', 'npm', 'pypi']);

  const eager = await match(sbom, store, { trace: 'eager' });
  const lazy = await match(sbom, store);
  assert.ok(eager.findings.length > 100, `a realistic number of findings (${eager.findings.length})`);
  assert.deepEqual([...new Set(eager.findings.map((f) => f.status))].sort(), ['fixed', 'unfixed']);
  assert.ok(eager.findings.some((f) => f.statusText), 'distribution triage words');
  assert.ok(eager.findings.every((f) => f.trace.length > 0), 'every finding has a trace');

  // Serialised output first (the traces are built by JSON.stringify), then the objects.
  assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
  assert.deepStrictEqual(lazy, eager);
  // Same keys in the same order (reports serialise findings as they are).
  assert.deepEqual(lazy.findings.map((f) => Object.keys(f)), eager.findings.map((f) => Object.keys(f)));

  // The second lazy match reuses every per-record cache; its findings, traces included, are unchanged.
  const again = await match(sbom, store);
  assert.deepStrictEqual(again, eager);

  // A trace that is assigned before it is read keeps the assigned value.
  const f = again.findings[0];
  f.trace = [];
  assert.deepEqual(f.trace, []);
  assert.equal(JSON.parse(JSON.stringify(f)).trace.length, 0);
});

test('every fixture entry: lazy and eager evaluations agree, shared objects agree with fresh copies', () => {
  const ctx = { advisory: 'T', ecosystem: 'x', package: 'p' };
  let compared = 0;
  for (const file of FEEDS.filter((f) => f.endsWith('.jsonl.gz'))) {
    const records = rawRecords(file);
    const versions = namedVersions(records);
    for (const r of records) {
      for (const entry of r.affected ?? []) {
        if (!entry.package) continue;
        const scheme = schemeForEcosystem(entry.package.ecosystem);
        if (!scheme) continue;
        const probe = [...versions.get(`${entry.package.ecosystem}\0${entry.package.name}`)!.versions, '0.0.1', '99999'];
        for (const v of probe) {
          const comparisons = new Map<string, number>();
          // Evaluated twice on the shared entry (the second run uses the prepared ranges), once on a fresh copy.
          const eager = evaluateAffected(entry, v, scheme, ctx);
          const lazy = evaluateAffected(entry, v, scheme, ctx, { trace: 'lazy', comparisons });
          const lazyAgain = evaluateAffected(entry, v, scheme, ctx, { trace: 'lazy', comparisons });
          const fresh = evaluateAffected(structuredClone(entry), v, scheme, ctx);
          const plain = (e: typeof eager) => ({ affected: e.affected, fixed: e.fixed, matchedRanges: e.matchedRanges, viaVersions: e.viaVersions, skipped: e.skipped, trace: e.trace });
          assert.deepStrictEqual(plain(lazy), plain(eager), `${r.id} at ${v}`);
          assert.deepStrictEqual(plain(lazyAgain), plain(eager), `${r.id} at ${v}, again`);
          assert.deepStrictEqual(eager, fresh, `${r.id} at ${v}, fresh copy`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 500, `${compared} evaluations compared`);
});

test('one range array under two schemes and at two positions: each evaluation as on a fresh copy', () => {
  const events = [{ introduced: '1.0.0' }, { fixed: '1.10.0' }, { introduced: '2.0.0-rc.1' }, { fixed: 'not a version!' }];
  const shared = { type: 'ECOSYSTEM' as const, events };
  const npmLike = schemeForEcosystem('npm')!;
  const debian = schemeForEcosystem('Debian:12')!;
  const ctx = { advisory: 'T', ecosystem: 'x', package: 'p' };
  const entryAt = (index: number) => ({ ranges: [...Array.from({ length: index }, () => ({ type: 'GIT' as const, events: [] })), shared], versions: [] });
  for (const scheme of [npmLike, debian, npmLike]) {
    for (const index of [0, 2, 0]) {
      for (const v of ['1.2', '1.2.0', '1.9.5-1', '2.0.0']) {
        const got = evaluateAffected(entryAt(index), v, scheme, ctx);
        const want = evaluateAffected(structuredClone(entryAt(index)), v, scheme, ctx);
        assert.deepStrictEqual(got, want, `${scheme.name} index ${index} ${v}`);
      }
    }
  }
  // SemVer cannot order the last event: the entry is skipped; dpkg orders any string.
  assert.equal(evaluateAffected(entryAt(2), '1.2.0', npmLike, ctx).skipped?.reason, 'invalid-version');
  assert.match(evaluateAffected(entryAt(2), '1.2.0', npmLike, ctx).skipped?.detail ?? '', /not a version/);
  assert.equal(evaluateAffected(entryAt(2), '1.2.0', debian, ctx).affected, true);
});

test('packages far apart with one query share its evaluation; a failed lookup is reported in package order', async (t) => {
  const real = await storeWith(t, ['debian-selected.osv.jsonl.gz', 'match/ghsa-npm-lodash-marked.osv.jsonl.gz']);
  let lookups = 0;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'lookup') return Reflect.get(target, prop, receiver) as unknown;
      return async (ecosystem: string, name: string) => {
        lookups++;
        if (name === 'broken') throw new Error('disk I/O error');
        return target.lookup(ecosystem, name);
      };
    },
  });
  // Two binaries of glibc with 300 unrelated packages between them (more than the matcher
  // evaluates ahead), and a package whose lookup fails between two that succeed.
  const filler = Array.from({ length: 300 }, (_, i) => pkg({ id: `filler-${i}`, name: `filler-${i}`, version: '1.0.0', purl: `pkg:npm/filler-${i}@1.0.0` }));
  const sbom = sbomOf([
    deb('libc6', '2.36-9+deb12u1', 'glibc'),
    pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }),
    pkg({ id: 'broken-1', name: 'broken', version: '1.0.0', purl: 'pkg:npm/broken@1.0.0' }),
    ...filler,
    pkg({ id: 'broken-2', name: 'broken', version: '1.0.0', purl: 'pkg:npm/broken@1.0.0' }),
    deb('libc-bin', '2.36-9+deb12u1', 'glibc'),
  ], DEBIAN_12);
  const r = await match(sbom, store);

  // One lookup per distinct (ecosystem, name), failures included.
  assert.equal(lookups, 2 + 1 + 300);
  assert.equal(r.stats.queries, lookups);
  const failed = r.warnings.filter((w) => w.code === 'match-lookup-failed');
  assert.deepEqual(failed.map((w) => w.message), [
    'advisory lookup for pkg:npm/broken@1.0.0 failed: disk I/O error',
    'advisory lookup for pkg:npm/broken@1.0.0 failed: disk I/O error',
  ]);

  const of = (name: string) => r.findings.filter((f) => f.package.name === name);
  const libc6 = of('libc6');
  const libcBin = of('libc-bin');
  assert.ok(libc6.length > 0);
  assert.ok(of('lodash').length > 0, 'packages after a failed lookup still match');
  // Findings come in package order, and the two binaries have the same findings.
  assert.deepEqual([...new Set(r.findings.map((f) => f.package.name))], ['libc6', 'lodash', 'libc-bin']);
  const withoutPackage = (f: (typeof libc6)[number]) => ({ ...f, package: undefined });
  assert.deepStrictEqual(libcBin.map(withoutPackage), libc6.map(withoutPackage));
  // Shared evaluations, not shared result objects.
  assert.notEqual(libcBin[0].ids, libc6[0].ids);
  assert.notEqual(libcBin[0].references, libc6[0].references);
});

test('NVD fallback: an unrated finding takes the NVD record\'s CVSS; ids are asked one by one until one gives a rating', async (t) => {
  const base = new SqliteAdvisoryStore(':memory:');
  t.after(() => base.close());
  let byAlias = 0;
  const store = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop !== 'byAlias') return Reflect.get(target, prop, receiver) as unknown;
      return (alias: string) => {
        byAlias++;
        return target.byAlias(alias);
      };
    },
  });
  const record = (id: string, source: string, extra: Partial<Advisory>): Advisory => ({ id, source, modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [], affected: [], ...extra });
  await base.importBatch({ kind: 'advisories', source: { name: 'test-npm', kind: 'advisories' }, mode: 'merge', records: [
    record('TEST-NVD-1', 'test-npm', { aliases: ['CVE-2099-0001'], affected: [{ package: { ecosystem: 'npm', name: 'nvd-demo' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }], versions: [] }] }),
  ] });
  const sbom = sbomOf([pkg({ name: 'nvd-demo', version: '1.0.0', purl: 'pkg:npm/nvd-demo@1.0.0' })]);

  // Nothing else names the vulnerability: both ids asked (CVE first), no rating.
  const none = await match(sbom, store);
  assert.deepEqual(none.findings[0].ids, ['CVE-2099-0001', 'TEST-NVD-1']);
  assert.deepEqual(none.findings[0].severity, { level: 'unknown', source: 'none' });
  assert.equal(byAlias, 2);
  byAlias = 0;

  await base.importBatch({ kind: 'advisories', source: { name: 'nvd-test', kind: 'advisories' }, mode: 'merge', records: [
    record('CVE-2099-0001', 'nvd-test', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
  ] });
  const rated = await match(sbom, store);
  assert.equal(byAlias, 1);
  const sev = rated.findings[0].severity;
  // AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H is the textbook 9.8 critical.
  assert.deepEqual({ level: sev.level, source: sev.source, score: sev.score, cvssVersion: sev.cvssVersion }, { level: 'critical', source: 'nvd', score: 9.8, cvssVersion: '3.1' });

  const off = await match(sbom, store, { nvdFallback: false });
  assert.equal(byAlias, 1, 'no alias query with the fallback off');
  assert.equal(off.findings[0].severity.source, 'none');
});
