// The AdvisoryStore contract, run over every backend (SQLite file, PostgreSQL schema) with the
// same assertions. Backend-specific checks (SQLite page size, its migration 2; PostgreSQL's
// migration lock) live in test/store/sqlite and test/store/postgres.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodedChunks } from '../../src/advisories/import/input.js';
import { osvFromJsonLines } from '../../src/advisories/import/osv.js';
import { ImportReport } from '../../src/advisories/import/report.js';
import type { Advisory } from '../../src/advisories/model.js';
import type { AdvisoryStore, SourceStatus } from '../../src/store/advisory-store.js';
import { ScoutError } from '../../src/util/errors.js';
import { fixture, rawIdsFor, rawRecords } from '../advisories/helpers.js';
import { BACKENDS, type StoreBackend, type StoreHandle } from './backends.js';

type T = { after: (fn: () => unknown) => void };

const SOURCES = ['pypi', 'go', 'rustsec', 'ghsa-npm-selected', 'maven-ghsa-sample', 'debian-selected', 'alpine-selected'];

async function collect(file: string, source: string): Promise<Advisory[]> {
  const out: Advisory[] = [];
  const report = new ImportReport(file);
  for await (const a of osvFromJsonLines(decodedChunks(fixture(file), file), source, report)) out.push(a);
  assert.equal(report.skipped, 0, `fixture ${file} should import cleanly: ${JSON.stringify(report.samples)}`);
  return out;
}

function record(id: string, packages: string[], aliases: string[], summary = 's'): Record<string, unknown> {
  return {
    id, modified: '2024-01-01T00:00:00Z', summary, aliases,
    affected: packages.map((name) => ({ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] })),
  };
}

/** Through the real importer, so records carry their source text as in `db import`. */
async function advisories(records: Record<string, unknown>[], source: string): Promise<Advisory[]> {
  const out: Advisory[] = [];
  const report = new ImportReport('test');
  for await (const a of osvFromJsonLines(decodedChunks(Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')), 'test'), source, report)) out.push(a);
  assert.equal(report.skipped, 0);
  return out;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const ids = (xs: Advisory[]) => xs.map((a) => a.id).sort();

for (const backend of BACKENDS) contract(backend);

function contract(backend: StoreBackend): void {
  async function openLoaded(t: T): Promise<StoreHandle> {
    const h = await backend.fresh(t);
    for (const s of SOURCES) {
      const file = `${s}.osv.jsonl.gz`;
      await h.store.importBatch({ kind: 'advisories', source: { name: `osv:${s}`, kind: 'advisories', url: file }, mode: 'replace', records: await collect(file, `osv:${s}`) });
    }
    return h;
  }

  /** A store holding the first PyPI record, and where to look it up. */
  async function storeWithOnePypiRecord(t: T): Promise<{ h: StoreHandle; store: AdvisoryStore; first: Advisory; eco: string; name: string }> {
    const h = await backend.fresh(t);
    const first = (await collect('pypi.osv.jsonl.gz', 'osv-pypi'))[0];
    await h.store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [first] });
    return { h, store: h.store, first, eco: first.affected[0].package!.ecosystem, name: first.affected[0].package!.name };
  }

  describe(`advisory store on ${backend.name}`, () => {
    test('lookup by (ecosystem, name) returns exactly the records that affect that package', async (t) => {
      const { store } = await openLoaded(t);
      const pypi = rawRecords('pypi.osv.jsonl.gz');
      const django = rawIdsFor(pypi, 'PyPI', 'django');
      assert.ok(django.length >= 2);
      assert.deepEqual(ids(await store.lookup('PyPI', 'django')), django);

      const deb = rawRecords('debian-selected.osv.jsonl.gz');
      const glibc12 = rawIdsFor(deb, 'Debian:12', 'glibc');
      assert.ok(glibc12.includes('DSA-5514-1'));
      assert.deepEqual(ids(await store.lookup('Debian:12', 'glibc')), glibc12);
      // xz-utils is not in Debian 12, only in 13 and 14.
      assert.deepEqual(await store.lookup('Debian:12', 'xz-utils'), []);
      assert.deepEqual(ids(await store.lookup('Debian:13', 'xz-utils')), rawIdsFor(deb, 'Debian:13', 'xz-utils'));

      const alp = rawRecords('alpine-selected.osv.jsonl.gz');
      assert.deepEqual(ids(await store.lookup('Alpine:v3.20', 'openssl')), rawIdsFor(alp, 'Alpine:v3.20', 'openssl'));
      assert.equal((await store.lookup('Alpine:v3.20', 'openssl')).length, 2);

      // A record with several packages is found under each of them (GHSA npm record that also lists other ecosystems).
      const go = rawRecords('go.osv.jsonl.gz');
      const first = go[0] as { id: string; affected: { package: { name: string } }[] };
      assert.ok((await store.lookup('Go', first.affected[0].package.name)).some((a) => a.id === first.id));
      // Ecosystems are exact: the same name in another ecosystem finds nothing.
      assert.deepEqual(await store.lookup('npm', 'django'), []);
    });

    test('PyPI names are PEP 503 normalised on write and read; npm and Go stay exact', async (t) => {
      const { store } = await openLoaded(t);
      assert.deepEqual(ids(await store.lookup('PyPI', 'JW_Util')), ['PYSEC-2020-341']);
      assert.deepEqual(ids(await store.lookup('PyPI', 'jw-util')), ['PYSEC-2020-341']);
      assert.deepEqual(ids(await store.lookup('PyPI', 'Django')), ids(await store.lookup('PyPI', 'django')));
      const npm = rawRecords('ghsa-npm-selected.osv.jsonl.gz');
      const name = (npm[0] as { affected: { package: { name: string } }[] }).affected[0].package.name;
      assert.ok((await store.lookup('npm', name)).length > 0);
      assert.deepEqual(await store.lookup('npm', name.toUpperCase()), []);
      // A record listing the same package several times (one entry per range) comes back once.
      const first = npm[0] as { id: string; affected: { package: { name: string } }[] };
      assert.ok(first.affected.filter((a) => a.package.name === name).length > 1);
      assert.deepEqual(ids(await store.lookup('npm', name)), rawIdsFor(npm, 'npm', name));
    });

    test('the lookup query is an index search, never a table scan', async (t) => {
      const h = await openLoaded(t);
      const { indexed, plan } = await backend.lookupPlan(h);
      assert.ok(indexed, plan);
    });

    test('lookups answered from parsed advisories equal fresh ones, also when only some were parsed before', async (t) => {
      const h = await openLoaded(t);
      const { store } = h;
      const pkgs = ['accesscontrol', 'admesh', 'agenta', 'django', 'aamiles'];
      // Fresh answers from a second store that has parsed nothing yet, one package per store open.
      const fresh = new Map<string, string[]>();
      for (const n of pkgs) {
        const other = await h.openAnother({ readonly: true });
        fresh.set(n, (await other.lookup('PyPI', n)).map((a) => JSON.stringify(a)));
        await other.close();
      }
      assert.ok([...fresh.values()].some((v) => v.length >= 3), 'some package has several advisories');
      // One of accesscontrol's advisories parsed, the others not: a lookup that is partly cached.
      const one = JSON.parse(fresh.get('accesscontrol')![1]) as Advisory;
      assert.equal((await store.get(one.id))?.id, one.id);
      for (const round of [1, 2]) {
        for (const n of pkgs) assert.deepEqual((await store.lookup('PyPI', n)).map((a) => JSON.stringify(a)), fresh.get(n), `${n}, round ${round}`);
      }
    });

    test('aliases and upstream ids resolve to their advisories', async (t) => {
      const { store } = await openLoaded(t);
      const go1 = await store.byAlias('CVE-2020-36567');
      assert.ok(go1.some((a) => a.id === 'GO-2020-0001'));
      assert.ok((await store.byAlias('GHSA-6vm3-jj99-7229')).some((a) => a.id === 'GO-2020-0001'));
      // By its own id too.
      assert.deepEqual(ids(await store.byAlias('GO-2020-0001')), ['GO-2020-0001']);
      // Debian records name the CVE in `upstream`, not `aliases`.
      const deb = rawRecords('debian-selected.osv.jsonl.gz').filter((r) => ((r.upstream as string[] | undefined) ?? []).includes('CVE-2023-4911'));
      assert.ok(deb.length >= 2);
      assert.deepEqual(ids(await store.byAlias('CVE-2023-4911')), deb.map((r) => r.id as string).sort());
      assert.deepEqual(await store.byAlias('CVE-1999-0000'), []);
    });

    test('getMany: the stored advisories of a list of ids in one call, by id; unknown ids absent, repeats once', async (t) => {
      const { store } = await openLoaded(t);
      const deb = rawRecords('debian-selected.osv.jsonl.gz').slice(0, 3).map((r) => r.id as string);
      const many = await store.getMany([...deb, 'CVE-1999-0000', deb[0], 'GO-2020-0001']);
      assert.deepEqual([...many.keys()].sort(), [...deb, 'GO-2020-0001'].sort());
      for (const id of many.keys()) assert.deepEqual(many.get(id), await store.get(id), id);
      assert.equal((await store.getMany([])).size, 0);
      // More ids than one statement's chunk of placeholders.
      const lots = [...Array.from({ length: 1500 }, (_, i) => `CVE-2099-${String(i).padStart(5, '0')}`), 'GO-2020-0001'];
      assert.deepEqual([...(await store.getMany(lots)).keys()], ['GO-2020-0001']);
    });

    test('withdrawn records are kept and flagged; status counts them per source', async (t) => {
      const { store } = await openLoaded(t);
      const w = await store.get('GO-2022-0617');
      assert.ok(w);
      assert.equal(typeof w.withdrawn, 'string');
      assert.equal(w.source, 'osv:go');
      const st = await store.status();
      assert.equal(st.schemaVersion, backend.schemaVersion);
      let total = 0;
      for (const s of SOURCES) {
        const raw = rawRecords(`${s}.osv.jsonl.gz`);
        const row = st.sources.find((x) => x.name === `osv:${s}`);
        assert.ok(row, s);
        // Ids are unique within a fixture, but a GHSA id may appear in two fixtures: the later import owns it.
        const owned = new Set(raw.map((r) => r.id as string));
        assert.ok(row.count <= owned.size && row.count > 0, `${s}: ${row.count} vs ${owned.size}`);
        assert.equal(row.url, `${s}.osv.jsonl.gz`);
        assert.ok(row.ageSeconds >= 0 && row.ageSeconds < 600);
        total += row.count;
      }
      assert.equal(st.advisories, total);
      const goRow = st.sources.find((x) => x.name === 'osv:go');
      const goRaw = rawRecords('go.osv.jsonl.gz');
      assert.equal(goRow?.count, goRaw.length);
      assert.equal(goRow?.withdrawn, goRaw.filter((r) => typeof r.withdrawn === 'string').length);
      assert.ok((goRow?.withdrawn ?? 0) >= 1);
    });

    test('re-importing a modified record updates it in place; identical records are unchanged', async (t) => {
      const { store } = await openLoaded(t);
      const before = await store.status();
      const rust = await collect('rustsec.osv.jsonl.gz', 'osv:rustsec');
      const again = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'merge', records: rust });
      assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: rust.length, deleted: 0 });

      const target = rust[0];
      const oldName = target.affected[0].package!.name;
      const changed: Advisory = {
        ...target,
        modified: '2030-01-01T00:00:00Z',
        summary: 'changed summary',
        aliases: ['CVE-2099-0001'],
        affected: [{ ...target.affected[0], package: { ecosystem: 'crates.io', name: 'renamed-crate' } }],
      };
      const r = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'merge', records: [changed] });
      assert.deepEqual(r, { inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
      const got = await store.get(target.id);
      assert.equal(got?.summary, 'changed summary');
      assert.equal(got?.modified, '2030-01-01T00:00:00Z');
      // Index rows follow the new content: the old package and old aliases no longer point at it.
      assert.ok(!(await store.lookup('crates.io', oldName)).some((a) => a.id === target.id));
      assert.deepEqual(ids(await store.lookup('crates.io', 'renamed-crate')), [target.id]);
      assert.deepEqual(ids(await store.byAlias('CVE-2099-0001')), [target.id]);
      for (const alias of target.aliases) assert.ok(!(await store.byAlias(alias)).some((a) => a.id === target.id));
      const after = await store.status();
      assert.equal(after.advisories, before.advisories);
      assert.equal(after.sources.find((s) => s.name === 'osv:rustsec')?.lastModified, '2030-01-01T00:00:00Z');
    });

    test('replace mode deletes records of that source that the new snapshot no longer has', async (t) => {
      const { store } = await openLoaded(t);
      const rust = await collect('rustsec.osv.jsonl.gz', 'osv:rustsec');
      const r = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'replace', records: rust.slice(5) });
      assert.deepEqual(r, { inserted: 0, updated: 0, unchanged: rust.length - 5, deleted: 5 });
      assert.equal(await store.get(rust[0].id), undefined);
      assert.deepEqual(await store.byAlias(rust[0].aliases[0]), []);
      const st = await store.status();
      assert.equal(st.sources.find((s) => s.name === 'osv:rustsec')?.count, rust.length - 5);
      // Other sources untouched.
      assert.equal(st.sources.find((s) => s.name === 'osv:go')?.count, rawRecords('go.osv.jsonl.gz').length);
    });

    test('a feed record with a NUL in a package name or alias is skipped by name; the rest of the feed is stored', async (t) => {
      const { store } = await backend.fresh(t);
      const lines = [
        record('GHSA-good-0001', ['left-pad'], ['CVE-2024-0001']),
        record('GHSA-nul-0001', ['a\u0000b'], []),
        record('GHSA-nul-0002', ['right-pad'], ['CVE-2024-\u00002']),
        record('GHSA-good-0002', ['right-pad'], ['CVE-2024-0003']),
      ].map((r) => JSON.stringify(r)).join('\n');
      const report = new ImportReport('feed.jsonl');
      const records = osvFromJsonLines(decodedChunks(Buffer.from(lines), 'feed.jsonl'), 'osv:npm', report);
      const r = await store.importBatch({ kind: 'advisories', source: { name: 'osv:npm', kind: 'advisories' }, mode: 'merge', records });
      assert.equal(r.inserted, 2);
      assert.deepEqual(report.samples.map((x) => [x.id, x.reason, x.detail]), [
        ['GHSA-nul-0001', 'bad-field', 'affected[0].package.name contains a NUL character'],
        ['GHSA-nul-0002', 'bad-field', 'aliases[0] contains a NUL character'],
      ]);
      assert.deepEqual(ids(await store.lookup('npm', 'right-pad')), ['GHSA-good-0002']);
      assert.deepEqual(ids(await store.lookup('npm', 'left-pad')), ['GHSA-good-0001']);
      assert.equal((await store.status()).advisories, 2);
    });

    test('an import whose stream fails half way leaves the previous database intact', async (t) => {
      const h = await openLoaded(t);
      const { store } = h;
      const before = await store.status();
      const djangoBefore = ids(await store.lookup('PyPI', 'django'));
      const pypi = await collect('pypi.osv.jsonl.gz', 'osv:pypi');
      async function* failing(): AsyncGenerator<Advisory> {
        // Updates, a new record and a deletion-by-replace would all happen if this committed.
        yield { ...pypi[0], summary: 'should not persist' };
        yield { ...pypi[1], id: 'PYSEC-9999-1' };
        await new Promise((r) => setTimeout(r, 1));
        throw new Error('connection reset half way');
      }
      await assert.rejects(
        store.importBatch({ kind: 'advisories', source: { name: 'osv:pypi', kind: 'advisories', url: 'new' }, mode: 'replace', records: failing() }),
        /connection reset half way/,
      );
      const after = await store.status();
      assert.deepEqual(after.sources, before.sources.map((s) => ({ ...s, ageSeconds: after.sources.find((x) => x.name === s.name)!.ageSeconds })));
      assert.equal(after.advisories, before.advisories);
      assert.equal(await store.get('PYSEC-9999-1'), undefined);
      assert.equal((await store.get(pypi[0].id))?.summary, pypi[0].summary);
      assert.deepEqual(ids(await store.lookup('PyPI', 'django')), djangoBefore);
      // The store stays usable, and the database has the old content.
      const next = await store.importBatch({ kind: 'advisories', source: { name: 'osv:pypi', kind: 'advisories' }, mode: 'merge', records: [pypi[0]] });
      assert.equal(next.unchanged, 1);
      await store.close();
      const reopened = await h.openAnother();
      assert.equal((await reopened.status()).advisories, before.advisories);
      assert.equal(await reopened.get('PYSEC-9999-1'), undefined);
    });

    test('KEV and EPSS tables answer by CVE id and replace on re-import', async (t) => {
      const { store } = await backend.fresh(t);
      const kev = [
        { cve: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23', knownRansomwareUse: true, cwes: ['CWE-79'] },
        { cve: 'CVE-2024-0002', dateAdded: '2024-02-02', cwes: [] },
      ];
      assert.deepEqual(await store.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: kev }), { inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
      const got = await store.kev(['CVE-2024-0001', 'CVE-2024-0003']);
      assert.deepEqual([...got.keys()], ['CVE-2024-0001']);
      assert.deepEqual(got.get('CVE-2024-0001'), kev[0]);
      const r = await store.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [kev[0]] });
      assert.deepEqual(r, { inserted: 0, updated: 0, unchanged: 1, deleted: 1 });
      // The catalogue read for the first question is not used past a re-import.
      assert.deepEqual([...(await store.kev(['CVE-2024-0001', 'CVE-2024-0002'])).keys()], ['CVE-2024-0001']);

      const epss = [
        { cve: 'CVE-2024-0001', score: 0.97, percentile: 0.999, date: '2024-05-01', modelVersion: 'v2023.03.01' },
        { cve: 'CVE-2024-0002', score: 0.0004, percentile: 0.05 },
      ];
      await store.importBatch({ kind: 'epss', source: { name: 'epss', kind: 'epss' }, entries: epss });
      const e = await store.epss(['CVE-2024-0002', 'CVE-2024-0001']);
      assert.deepEqual(e.get('CVE-2024-0001'), epss[0]);
      assert.deepEqual(e.get('CVE-2024-0002'), epss[1]);
      // More ids than one IN list holds.
      const many = Array.from({ length: 1200 }, (_, i) => `CVE-2000-${i}`).concat('CVE-2024-0002');
      assert.equal((await store.epss(many)).size, 1);
      const st = await store.status();
      assert.deepEqual(st.sources.map((s) => [s.name, s.kind, s.count]), [['cisa-kev', 'kev', 1], ['epss', 'epss', 2]]);
      assert.equal(st.kev, 1);
      assert.equal(st.epss, 2);
      // KEV and EPSS rows are not advisories: nothing to match packages against yet.
      assert.equal(await store.hasAdvisories(), false);
      const records = await collect('go.osv.jsonl.gz', 'osv-go');
      await store.importBatch({ kind: 'advisories', source: { name: 'osv-go', kind: 'advisories' }, mode: 'merge', records: records.slice(0, 1) });
      assert.equal(await store.hasAdvisories(), true);
    });

    test('sourceStatusPage: the sources after a name, by name, each counted as status() counts it', async (t) => {
      const h = await openLoaded(t);
      const { store } = h;
      await store.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [{ cve: 'CVE-2024-0001', dateAdded: '2024-05-01', cwes: [] }] });
      await store.importBatch({ kind: 'epss', source: { name: 'epss', kind: 'epss' }, entries: [{ cve: 'CVE-2024-0001', score: 0.5, percentile: 0.5 }, { cve: 'CVE-2024-0002', score: 0.1, percentile: 0.1 }] });
      // A withdrawn record, so the withdrawn count of a source is not 0 by chance.
      await store.importBatch({ kind: 'advisories', source: { name: 'Withdrawn-src', kind: 'advisories' }, mode: 'replace', records: await advisories([{ ...record('W-1', ['w-pkg'], []), withdrawn: '2024-01-01T00:00:00Z' }, record('W-2', ['w-pkg'], [])], 'Withdrawn-src') });
      const strip = ({ ageSeconds, ...rest }: SourceStatus) => (assert.ok(ageSeconds >= 0), rest);
      // status() lists every source counted; the pages must be the same, by name in code-unit order.
      const whole = (await store.status()).sources.map(strip).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      assert.ok(whole.length >= 5);
      assert.deepEqual(whole.filter((s) => s.name === 'Withdrawn-src').map((s) => [s.kind, s.count, s.withdrawn]), [['advisories', 2, 1]]);
      assert.equal(whole.find((s) => s.name === 'epss')?.count, 2);
      for (const limit of [1, 2, 100]) {
        const got: Omit<SourceStatus, 'ageSeconds'>[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.sourceStatusPage(after, limit);
          assert.ok(page.length <= limit);
          got.push(...page.map(strip));
          if (page.length < limit) break;
          after = page[page.length - 1].name;
        }
        assert.deepEqual(got, whole, `limit ${limit}`);
      }
      assert.deepEqual((await store.sourceStatusPage(whole[1].name, 2)).map((s) => s.name), whole.slice(2, 4).map((s) => s.name), 'after a name: the names past it');
      assert.deepEqual(await store.sourceStatusPage(whole[whole.length - 1].name, 10), [], 'nothing after the last');
    });

    test('opening something that is not a database, or a newer schema, fails with a named error', async (t) => {
      await assert.rejects(backend.openBroken(t), (e: unknown) => e instanceof ScoutError && e.code === 'store-open' && typeof e.path === 'string' && e.path.length > 0);

      const h = await backend.fresh(t);
      await h.store.close();
      await h.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')");
      await assert.rejects(h.openAnother(), (e: unknown) => e instanceof ScoutError && e.code === 'store-schema-newer' && /99 is newer/.test(e.message));
    });

    test('records read back equal what the importer produced, stored verbatim or re-serialised', async (t) => {
      const { store } = await backend.fresh(t);
      const go = await collect('go.osv.jsonl.gz', 'osv:go');
      await store.importBatch({ kind: 'advisories', source: { name: 'osv:go', kind: 'advisories' }, mode: 'merge', records: go });
      for (const a of go) assert.deepEqual(await store.get(a.id), a);

      // Nulls where OSV allows them, and a record that claims another source.
      const line = JSON.stringify({
        id: 'GHSA-null-0001', modified: '2024-01-01T00:00:00Z', aliases: null, summary: null, source: 'evil',
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: null, ranges: null, database_specific: null }],
      });
      const report = new ImportReport('nulls');
      const recs: Advisory[] = [];
      for await (const a of osvFromJsonLines(decodedChunks(Buffer.from(line), 'nulls'), 'test', report)) recs.push(a);
      assert.equal(recs.length, 1);
      await store.importBatch({ kind: 'advisories', source: { name: 'test', kind: 'advisories' }, mode: 'merge', records: recs });
      const got = await store.get('GHSA-null-0001');
      assert.deepEqual(got, recs[0]);
      assert.deepEqual(got, {
        id: 'GHSA-null-0001', source: 'test', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [],
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [], versions: [] }],
      });
    });

    test('a merge that brings nothing newer keeps the source cursor (an empty incremental update must not reset it)', async (t) => {
      const { store } = await backend.fresh(t);
      const records = await collect('pypi.osv.jsonl.gz', 'osv-pypi');
      const newest = records.map((r) => r.modified).sort().at(-1);
      await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records });
      const before = (await store.status()).sources.find((s) => s.name === 'osv-pypi');
      assert.equal(before?.lastModified, newest);
      await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [] });
      const after = (await store.status()).sources.find((s) => s.name === 'osv-pypi');
      assert.equal(after?.lastModified, newest);
      assert.equal(after?.count, before?.count);
    });

    test('sources() lists what was imported and when, agreeing with status()', async (t) => {
      const { store } = await openLoaded(t);
      const cheap = await store.sources();
      const full = (await store.status()).sources;
      assert.deepEqual(cheap.map((s) => [s.name, s.kind, s.importedAt]), full.map((s) => [s.name, s.kind, s.importedAt]));
      assert.equal(cheap.length, SOURCES.length);
    });

    test('lookups after a re-import see the new record, not a cached parse of the old one', async (t) => {
      const { store, first, eco, name } = await storeWithOnePypiRecord(t);
      assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, first.summary);
      const changed = { ...first, summary: 'changed summary', modified: first.modified };
      await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [changed] });
      assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, 'changed summary');
    });

    test('remembered lookup answers give way to another connection\'s import', async (t) => {
      const { h, store: reader, first, eco, name } = await storeWithOnePypiRecord(t);
      const before = await reader.lookup(eco, name);
      assert.equal(before.find((a) => a.id === first.id)?.summary, first.summary);
      // Answered again from memory: the same advisory objects, in a fresh array the caller may change.
      const again = await reader.lookup(eco, name);
      assert.notEqual(again, before);
      assert.equal(again.find((a) => a.id === first.id), before.find((a) => a.id === first.id));
      again.length = 0;
      assert.equal((await reader.lookup(eco, name)).length, before.length);
      // A second connection (as another process's `scout db update` would) changes the record.
      assert.equal((await reader.kev(['CVE-2024-0009'])).size, 0);
      const writer = await h.openAnother();
      await writer.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [{ ...first, summary: 'changed elsewhere', modified: '2099-01-01T00:00:00Z' }] });
      await writer.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [{ cve: 'CVE-2024-0009', dateAdded: '2024-03-01', cwes: [] }] });
      await writer.close();
      assert.equal((await reader.lookup(eco, name)).find((a) => a.id === first.id)?.summary, 'changed elsewhere');
      // The KEV catalogue read before is not used past the other connection's import either.
      assert.equal((await reader.kev(['CVE-2024-0009'])).get('CVE-2024-0009')?.dateAdded, '2024-03-01');
    });

    test('dataGeneration moves with an import here or on another connection, and not with reads', async (t) => {
      const { h, store, first, eco, name } = await storeWithOnePypiRecord(t);
      const g1 = await store.dataGeneration();
      await store.lookup(eco, name);
      await store.kev(['CVE-2024-0009']);
      assert.equal(await store.dataGeneration(), g1, 'reads leave it');
      await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [{ ...first, summary: 'changed here', modified: '2098-01-01T00:00:00Z' }] });
      const g2 = await store.dataGeneration();
      assert.notEqual(g2, g1, 'an import through this store');
      const writer = await h.openAnother();
      await writer.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [{ cve: 'CVE-2024-0009', dateAdded: '2024-03-01', cwes: [] }] });
      await writer.close();
      const g3 = await store.dataGeneration();
      assert.notEqual(g3, g2, "another connection's import");
      assert.equal(await store.dataGeneration(), g3);
    });

    test('a lookup made while an import runs is not remembered past it', async (t) => {
      const { store, first, eco, name } = await storeWithOnePypiRecord(t);
      let seenDuring: string | undefined;
      async function* broken(): AsyncGenerator<Advisory> {
        yield { ...first, summary: 'never committed', modified: '2099-01-01T00:00:00Z' };
        // Enough other records that buffered rows are written.
        for (let i = 0; i < 70; i++) yield { ...first, id: `PYSEC-0000-${i}`, modified: '2099-01-01T00:00:00Z' };
        seenDuring = (await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary;
        throw new Error('feed broke');
      }
      await assert.rejects(store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: broken() }), /feed broke/);
      // SQLite's one connection sees its own uncommitted rows; PostgreSQL's readers see the committed ones.
      assert.equal(seenDuring, backend.readsOwnImport ? 'never committed' : first.summary);
      assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, first.summary);
    });

    test('a record with more index rows than one multi-row statement holds is found under every package and alias', async (t) => {
      const { store } = await backend.fresh(t);
      const pkgs = names('pkg-', 203);
      const als = names('CVE-2024-', 131);
      const recs = await advisories([record('GHSA-many-0001', pkgs, als), record('GHSA-many-0002', ['pkg-7'], [])], 'osv:test');
      const counts = await store.importBatch({ kind: 'advisories', source: { name: 'osv:test', kind: 'advisories' }, mode: 'replace', records: recs });
      assert.deepEqual(counts, { inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
      for (const p of pkgs) assert.deepEqual(ids(await store.lookup('npm', p)), p === 'pkg-7' ? ['GHSA-many-0001', 'GHSA-many-0002'] : ['GHSA-many-0001'], p);
      for (const a of als) assert.deepEqual(ids(await store.byAlias(a)), ['GHSA-many-0001'], a);
      assert.deepEqual(await store.lookup('npm', 'pkg-203'), []);
    });

    test('an id that comes twice in one stream: the later record wins and only its packages and aliases stay indexed', async (t) => {
      const { store } = await backend.fresh(t);
      // The first version has enough index rows to fill whole multi-row statements and leave some
      // buffered when the second version replaces it.
      const first = record('GHSA-twice-0001', names('old-', 150), names('CVE-2020-', 70), 'first');
      const second = record('GHSA-twice-0001', ['new-a', 'new-b'], ['CVE-2021-1'], 'second');
      const recs = await advisories([first, record('GHSA-other-0001', ['old-3'], []), second], 'osv:dup');
      const counts = await store.importBatch({ kind: 'advisories', source: { name: 'osv:dup', kind: 'advisories' }, mode: 'replace', records: recs });
      assert.deepEqual(counts, { inserted: 2, updated: 1, unchanged: 0, deleted: 0 });
      assert.equal((await store.get('GHSA-twice-0001'))?.summary, 'second');
      for (const p of names('old-', 150)) assert.deepEqual(ids(await store.lookup('npm', p)), p === 'old-3' ? ['GHSA-other-0001'] : [], p);
      for (const a of names('CVE-2020-', 70)) assert.deepEqual(await store.byAlias(a), [], a);
      assert.deepEqual(ids(await store.lookup('npm', 'new-b')), ['GHSA-twice-0001']);
      assert.deepEqual(ids(await store.byAlias('CVE-2021-1')), ['GHSA-twice-0001']);
    });

    test("a source's first import meets ids another source already has: they move to it, counted as updated", async (t) => {
      const { store } = await backend.fresh(t);
      const a = await advisories([record('GHSA-shared-0001', ['x'], ['CVE-2024-1']), record('GHSA-onlya-0001', ['y'], [])], 'src-a');
      await store.importBatch({ kind: 'advisories', source: { name: 'src-a', kind: 'advisories' }, mode: 'replace', records: a });
      const b = await advisories([record('GHSA-shared-0001', ['x'], ['CVE-2024-1']), record('GHSA-onlyb-0001', ['z'], [])], 'src-b');
      const counts = await store.importBatch({ kind: 'advisories', source: { name: 'src-b', kind: 'advisories' }, mode: 'replace', records: b });
      assert.deepEqual(counts, { inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
      assert.equal((await store.get('GHSA-shared-0001'))?.source, 'src-b');
      const st = await store.status();
      assert.deepEqual(st.sources.map((s) => [s.name, s.count]), [['src-a', 1], ['src-b', 2]]);
      assert.deepEqual(ids(await store.lookup('npm', 'x')), ['GHSA-shared-0001']);
      assert.deepEqual(ids(await store.byAlias('CVE-2024-1')), ['GHSA-shared-0001']);
      // The same feed again is a re-import (lookup first): nothing changes.
      const again = await store.importBatch({ kind: 'advisories', source: { name: 'src-b', kind: 'advisories' }, mode: 'replace', records: b });
      assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
    });

    test("a first import whose stream fails leaves nothing of that source, buffered index rows included", async (t) => {
      const h = await backend.fresh(t);
      const { store } = h;
      const keep = await advisories([record('GHSA-keep-0001', ['kept'], ['CVE-2023-1'])], 'src-keep');
      await store.importBatch({ kind: 'advisories', source: { name: 'src-keep', kind: 'advisories' }, mode: 'replace', records: keep });
      const before = await store.status();
      const many = await advisories(names('GHSA-fail-', 100).map((id) => record(id, [`f-${id}`, 'kept'], [`ALIAS-${id}`])), 'src-new');
      async function* failing(): AsyncGenerator<Advisory> {
        yield* many;
        throw new Error('truncated feed');
      }
      await assert.rejects(store.importBatch({ kind: 'advisories', source: { name: 'src-new', kind: 'advisories' }, mode: 'replace', records: failing() }), /truncated feed/);
      const after = await store.status();
      assert.equal(after.advisories, before.advisories);
      assert.deepEqual(after.sources.map((s) => s.name), ['src-keep']);
      assert.deepEqual(ids(await store.lookup('npm', 'kept')), ['GHSA-keep-0001']);
      assert.deepEqual(await store.lookup('npm', 'f-GHSA-fail-0'), []);
      assert.deepEqual(await store.byAlias('ALIAS-GHSA-fail-99'), []);
      // The next import of that source is a first import again and works.
      const ok = await store.importBatch({ kind: 'advisories', source: { name: 'src-new', kind: 'advisories' }, mode: 'replace', records: many });
      assert.deepEqual(ok, { inserted: 100, updated: 0, unchanged: 0, deleted: 0 });
      await store.close();
      const reopened = await h.openAnother();
      assert.equal((await reopened.status()).advisories, 101);
    });

    test('an import that fails after several thousand records, with whole chunks already written, leaves the previous data intact', async (t) => {
      const h = await backend.fresh(t);
      const { store } = h;
      const src = { name: 'src-big', kind: 'advisories' as const };
      const v1 = await advisories([record('GHSA-big-keep', ['kept-pkg'], ['CVE-2022-1'], 'v1'), record('GHSA-big-gone', ['gone-pkg'], ['CVE-2022-2'])], src.name);
      await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v1 });
      const before = await store.status();
      // More records than either store writes in one go (PostgreSQL copies 5,000 a chunk, and
      // writes one chunk while reading the next), then a changed record, then the failure.
      const many = await advisories(names('GHSA-big-', 12_000).map((id) => record(id, [`p-${id}`], [`ALIAS-${id}`])), src.name);
      const [changed] = await advisories([record('GHSA-big-keep', ['other-pkg'], ['CVE-2022-9'], 'v2')], src.name);
      async function* failing(): AsyncGenerator<Advisory> {
        yield* many;
        yield changed;
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('feed cut off');
      }
      await assert.rejects(store.importBatch({ kind: 'advisories', source: { ...src, url: 'new' }, mode: 'replace', records: failing() }), /feed cut off/);
      const after = await store.status();
      assert.equal(after.advisories, before.advisories);
      assert.deepEqual(after.sources.map((s) => [s.name, s.count, s.importedAt, s.url]), before.sources.map((s) => [s.name, s.count, s.importedAt, s.url]));
      assert.deepEqual(await store.lookup('npm', 'p-GHSA-big-0'), []);
      assert.deepEqual(await store.lookup('npm', 'p-GHSA-big-11999'), []);
      assert.deepEqual(await store.byAlias('ALIAS-GHSA-big-4999'), []);
      assert.equal((await store.get('GHSA-big-keep'))?.summary, 'v1');
      assert.deepEqual(ids(await store.lookup('npm', 'kept-pkg')), ['GHSA-big-keep']);
      assert.deepEqual(await store.lookup('npm', 'other-pkg'), []);
      assert.deepEqual(ids(await store.lookup('npm', 'gone-pkg')), ['GHSA-big-gone']);
      // The store goes on working on the same database: the old snapshot again is unchanged.
      assert.deepEqual(await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v1 }), { inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
      await store.close();
      const reopened = await h.openAnother();
      assert.equal((await reopened.status()).advisories, 2);
      assert.equal(await reopened.get('GHSA-big-5000'), undefined);
    });

    test('the JSON column holds TEXT equal to the original line, and never bytes that are not UTF-8', async (t) => {
      const h = await backend.fresh(t);
      const { store } = h;
      const nonAscii = JSON.stringify(record('GHSA-utf8-0001', ['naïve'], [], 'Überlauf in 日本語 parser 😀'));
      // 0xFF is not UTF-8: the decoded text carries U+FFFD there, and that is what must be stored.
      const invalid = Buffer.concat([Buffer.from('{"id":"GHSA-bad8-0001","modified":"2024-01-01T00:00:00Z","summary":"a'), Buffer.from([0xff]), Buffer.from('b","affected":[{"package":{"ecosystem":"npm","name":"q"}}]}')]);
      const report = new ImportReport('utf8');
      const recs: Advisory[] = [];
      const input = Buffer.concat([Buffer.from(nonAscii + '\n'), invalid, Buffer.from('\n')]);
      for await (const a of osvFromJsonLines(decodedChunks(input, 'utf8'), 'src', report)) recs.push(a);
      assert.equal(recs.length, 2);
      await store.importBatch({ kind: 'advisories', source: { name: 'src', kind: 'advisories' }, mode: 'replace', records: recs });
      assert.equal((await store.get('GHSA-utf8-0001'))?.summary, 'Überlauf in 日本語 parser 😀');
      assert.equal((await store.get('GHSA-bad8-0001'))?.summary, 'a\uFFFDb');
      await store.close();
      assert.ok(await backend.jsonIsText(h));
      assert.equal(await h.scalar("SELECT json FROM advisories WHERE id = 'GHSA-utf8-0001'"), nonAscii);
      // What is stored is the decoded text, U+FFFD included: never the 0xFF byte.
      const bad = await h.scalar("SELECT json FROM advisories WHERE id = 'GHSA-bad8-0001'") as string;
      assert.equal(bad, invalid.toString('utf8'));
      assert.ok(!Buffer.from(bad).includes(0xff), 'stored bytes are UTF-8');
    });

    test('a re-import finds identical records unchanged, stored verbatim or re-serialised, non-ASCII too; a changed one is rewritten as TEXT', async (t) => {
      const h = await backend.fresh(t);
      const { store } = h;
      const source = { name: 'osv:bytes', kind: 'advisories' as const };
      const verbatim = () => advisories([record('GHSA-byte-0001', ['café'], ['CVE-2024-1'], 'naïve 🐛 summary'), record('GHSA-byte-0002', ['b'], [])], 'osv:bytes');
      // A copy (spread) carries no source text: the store writes JSON.stringify's.
      const [reserialised] = await advisories([record('GHSA-byte-0003', ['c'], [], 'ünïcode')], 'osv:bytes');
      const plain = (summary: string): Advisory => ({ ...reserialised, summary });

      assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [...await verbatim(), plain('ünïcode')] }), { inserted: 3, updated: 0, unchanged: 0, deleted: 0 });
      assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [...await verbatim(), plain('ünïcode')] }), { inserted: 0, updated: 0, unchanged: 3, deleted: 0 });
      assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [plain('ünïcode, changed')] }), { inserted: 0, updated: 1, unchanged: 0, deleted: 0 });

      assert.equal((await store.get('GHSA-byte-0003'))?.summary, 'ünïcode, changed');
      assert.equal((await store.get('GHSA-byte-0001'))?.summary, 'naïve 🐛 summary');
      await store.close();
      assert.ok(await backend.jsonIsText(h));
    });

    test('index rows are removed through the stored record\'s own keys; a damaged stored record has them found by a scan', async (t) => {
      const h = await backend.fresh(t);
      const { store } = h;
      const src = { name: 'osv:keys', kind: 'advisories' as const };
      const v1 = await advisories([record('GHSA-keys-0001', ['a-1', 'a-2'], ['CVE-2020-1']), record('GHSA-keys-0002', ['b-1'], ['CVE-2020-2'])], src.name);
      await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v1 });
      // Damage the second record's stored JSON behind the store's back (a tampered cache file).
      await h.exec("UPDATE advisories SET json = '{not json' WHERE id = 'GHSA-keys-0002'");
      // And the first's into JSON of the wrong shape (an alias that is not a string).
      await h.exec(`UPDATE advisories SET json = '{"id":"GHSA-keys-0001","aliases":[{"x":1}],"affected":[{"package":{"ecosystem":"npm","name":"a-1"}}]}' WHERE id = 'GHSA-keys-0001'`);
      const v2 = await advisories([record('GHSA-keys-0001', ['a-3'], ['CVE-2021-1'], 'changed'), record('GHSA-keys-0002', ['b-2'], ['CVE-2021-2'], 'changed')], src.name);
      const r = await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v2 });
      assert.deepEqual(r, { inserted: 0, updated: 2, unchanged: 0, deleted: 0 });
      for (const p of ['a-1', 'a-2', 'b-1']) assert.deepEqual(await store.lookup('npm', p), [], p);
      for (const a of ['CVE-2020-1', 'CVE-2020-2']) assert.deepEqual(await store.byAlias(a), [], a);
      assert.deepEqual(ids(await store.lookup('npm', 'a-3')), ['GHSA-keys-0001']);
      assert.deepEqual(ids(await store.lookup('npm', 'b-2')), ['GHSA-keys-0002']);
      // Gone from the snapshot: its rows go too.
      const v3 = await advisories([record('GHSA-keys-0002', ['b-2'], ['CVE-2021-2'], 'changed')], src.name);
      assert.equal((await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v3 })).deleted, 1);
      assert.deepEqual(await store.lookup('npm', 'a-3'), []);
      assert.deepEqual(await store.byAlias('CVE-2021-1'), []);
      await store.close();
      // Nothing left behind in either table for the deleted id.
      assert.equal(await h.scalar("SELECT COUNT(*) FROM affected WHERE advisory_id = 'GHSA-keys-0001'"), 0);
      assert.equal(await h.scalar("SELECT COUNT(*) FROM aliases WHERE advisory_id = 'GHSA-keys-0001'"), 0);
    });
  });
}
