/**
 * VEX on the platform, on both backends: OpenVEX documents an organisation sends (POST /v1/vex)
 * decide its findings by the CLI's rules (vulnerability id or alias, package purl without
 * version, the image itself by repository or digest, the newest statement wins); findings and
 * vulnerability usage show the deciding statement, `?vex=` filters on it; deleting a document
 * gives the findings the status of the statements left; another organisation's documents never
 * apply and are 404 to it; a statement that moves a policy judges the image again with a
 * policy.changed event; a finding that a re-match opens later gets the status of the
 * statements already stored. The organisation's vulnerability list filters on the findings' VEX
 * status (`?vex=`) and counts each row's findings by status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScoutEvent } from '../../src/notify/events.js';
import type { FindingVex, VexDocumentDetail, VexDocumentSummary } from '../../src/store/kysely/vex-store.js';
import type { ImageDetail, PolicyHistoryEntry, StoredFinding, Usage } from '../../src/store/platform-store.js';
import type { VulnerabilitySummary } from '../../src/store/dashboard-reader.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi, type TestApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { testOsv } from '../helpers/osv-record.js';

type Page<T> = { items: T[]; next?: string };
type Added = { id: string; created: boolean; changedImages: number; document: VexDocumentDetail };

const PKG = 'pkg:npm/scout-test-pkg@1.0.0';

function openvex(statements: unknown[], extra: Record<string, unknown> = {}) {
  return { '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'Acme security', timestamp: '2026-01-01T00:00:00Z', version: 1, statements, ...extra };
}

const findingsOf = async (api: TestApi, token: string, digest: string, query = '') =>
  api.call<Page<StoredFinding>>({ method: 'GET', url: `/v1/images/${digest}/findings${query}`, route: 'GET /v1/images/:digest/findings', token });

const vexOf = async (api: TestApi, token: string, digest: string): Promise<(FindingVex | undefined)[]> => (await findingsOf(api, token, digest)).body.items.map((f) => f.vex);

const post = (api: TestApi, token: string, doc: unknown) => api.call<Added>({ method: 'POST', url: '/v1/vex', route: 'POST /v1/vex', token, payload: doc as object });

for (const backend of BACKENDS) {
  test(`${backend}: VEX documents decide the organisation's findings by vulnerability or alias, package or image, newest first; filters, usage, deletion, and another organisation is untouched`, async (t) => {
    const api = await testApi(backend, t);
    const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
    const globex = await api.tokenFor('globex', 'admin');
    const globexStore = api.platform.forOrg((await api.platform.orgByName('globex'))!);
    const reader = await api.tokenFor('acme', 'read');
    const writer = (await acme.createToken('ci', 'write')).token;
    const put = async (store: typeof acme, i: number, purl: string, repository: string) =>
      (await store.putImage(uploadOf({ layers: ['base', `app-${i}`], purls: [purl], findings: [[purl, 'CVE-2099-0001']], repository, tags: ['1.0'] }))).image.digest;
    const app0 = await put(acme, 0, PKG, 'shop/app-0');
    const app1 = await put(acme, 1, PKG, 'shop/app-1');
    const app2 = await put(acme, 2, 'pkg:npm/other-pkg@3.0.0', 'shop/app-2');
    const theirs = await put(globexStore, 0, PKG, 'shop/app-0');

    // Only a write token sends documents.
    const doc1 = openvex([{ vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:npm/scout-test-pkg' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }]);
    assert.equal((await post(api, reader, doc1)).status, 403);
    const first = await post(api, writer, doc1);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.created, true);
    assert.equal(first.body.changedImages, 2);
    assert.equal(first.body.document.source, 'api');
    assert.equal(first.body.document.documentId, 'https://example.com/vex/1');
    assert.equal(first.body.document.findings, 2);
    assert.deepEqual(first.body.document.statements, [{ vulnerability: 'CVE-2099-0001', aliases: [], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', products: [{ purls: ['pkg:npm/scout-test-pkg'], subcomponents: [] }] }]);

    // A versionless purl covers every version of the package: app-0 and app-1, not app-2's other package.
    const [v0] = await vexOf(api, reader, app0);
    assert.equal(v0?.status, 'not_affected');
    assert.equal(v0?.justification, 'vulnerable_code_not_in_execute_path');
    assert.equal(v0?.vulnerability, 'CVE-2099-0001');
    assert.deepEqual(v0?.document, { id: first.body.id, source: 'api', documentId: 'https://example.com/vex/1', author: 'Acme security' });
    assert.equal(v0?.timestamp, '2026-01-01T00:00:00Z');
    assert.equal((await vexOf(api, reader, app1))[0]?.status, 'not_affected');
    assert.deepEqual(await vexOf(api, reader, app2), [undefined]);

    // Another organisation's finding of the same package and vulnerability is untouched.
    assert.deepEqual(await vexOf(api, globex, theirs), [undefined]);
    assert.deepEqual((await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: '/v1/vex', route: 'GET /v1/vex', token: globex })).body.items, []);
    assert.equal((await api.call({ method: 'GET', url: `/v1/vex/${first.body.id}`, route: 'GET /v1/vex/:id', token: globex })).status, 404);
    assert.equal((await api.call({ method: 'DELETE', url: `/v1/vex/${first.body.id}`, route: 'DELETE /v1/vex/:id', token: globex })).status, 404);
    assert.equal((await vexOf(api, reader, app0))[0]?.status, 'not_affected', "the other organisation's delete did nothing");

    // The same document again is the stored one.
    const again = await post(api, writer, doc1);
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    assert.equal(again.body.id, first.body.id);

    // By alias and by image: app-2 by its repository (any package of it), app-1 by digest, newer statements.
    const doc2 = openvex(
      [
        { vulnerability: { name: 'GHSA-0001-test-test' }, products: [{ '@id': 'pkg:docker/shop/app-2' }], status: 'affected', action_statement: 'upgrade other-pkg' },
        { vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': `pkg:oci/app-1@${encodeURIComponent(app1)}`, subcomponents: [{ '@id': 'pkg:npm/scout-test-pkg@1.0.0' }] }], status: 'under_investigation' },
        // Another image's subcomponents are not app-0's, though the package is the same.
        { vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:docker/shop/elsewhere', subcomponents: [{ '@id': PKG }] }], status: 'affected' },
      ],
      { '@id': 'https://example.com/vex/2', timestamp: '2026-02-01T00:00:00Z' },
    );
    const second = await post(api, writer, doc2);
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(second.body.changedImages, 2);
    const v2 = (await vexOf(api, reader, app2))[0];
    assert.equal(v2?.status, 'affected');
    assert.equal(v2?.actionStatement, 'upgrade other-pkg');
    assert.equal(v2?.vulnerability, 'GHSA-0001-test-test');
    assert.equal((await vexOf(api, reader, app1))[0]?.status, 'under_investigation');
    assert.equal((await vexOf(api, reader, app0))[0]?.status, 'not_affected');

    // ?vex= keeps the findings with those statuses; none: no statement applies.
    const notNotAffected = '?vex=affected&vex=fixed&vex=under_investigation&vex=none';
    assert.equal((await findingsOf(api, reader, app0, notNotAffected)).body.items.length, 0);
    assert.equal((await findingsOf(api, reader, app1, notNotAffected)).body.items.length, 1);
    assert.equal((await findingsOf(api, reader, app0, '?vex=not_affected')).body.items.length, 1);
    assert.equal((await findingsOf(api, globex, theirs, '?vex=none')).body.items.length, 1);
    assert.equal((await findingsOf(api, globex, theirs, '?vex=not_affected')).body.items.length, 0);
    assert.equal((await findingsOf(api, reader, app0, '?vex=maybe')).status, 400);

    // The vulnerability's usage shows each image's status.
    const usage = await api.call<Page<Usage>>({ method: 'GET', url: '/v1/vulnerabilities/CVE-2099-0001', route: 'GET /v1/vulnerabilities/:id', token: reader });
    const statusOf = new Map(usage.body.items.map((u) => [u.digest, u.vex?.status]));
    assert.deepEqual(Object.fromEntries(statusOf), { [app0]: 'not_affected', [app1]: 'under_investigation', [app2]: 'affected' });

    // The list, newest first, filtered by an id its statements name.
    const list = await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: '/v1/vex', route: 'GET /v1/vex', token: reader });
    assert.deepEqual(list.body.items.map((d) => d.id), [second.body.id, first.body.id]);
    assert.deepEqual(list.body.items.map((d) => d.findings), [2, 1]);
    const byAlias = await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: '/v1/vex?vulnerability=ghsa-0001-test-test&limit=1', route: 'GET /v1/vex', token: reader });
    assert.deepEqual(byAlias.body.items.map((d) => d.id), [second.body.id]);
    assert.equal(byAlias.body.next, undefined);
    const paged = await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: '/v1/vex?limit=1', route: 'GET /v1/vex', token: reader });
    assert.ok(paged.body.next);
    const page2 = await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: `/v1/vex?limit=1&cursor=${paged.body.next}`, route: 'GET /v1/vex', token: reader });
    assert.deepEqual(page2.body.items.map((d) => d.id), [first.body.id]);

    // Deleting the newer document: app-1 is decided by the first one again, app-2 by none.
    assert.equal((await api.call({ method: 'DELETE', url: `/v1/vex/${second.body.id}`, route: 'DELETE /v1/vex/:id', token: reader })).status, 403);
    assert.equal((await api.call({ method: 'DELETE', url: `/v1/vex/${second.body.id}`, route: 'DELETE /v1/vex/:id', token: writer })).status, 204);
    assert.equal((await vexOf(api, reader, app1))[0]?.status, 'not_affected');
    assert.deepEqual(await vexOf(api, reader, app2), [undefined]);
    assert.equal((await api.call({ method: 'GET', url: `/v1/vex/${second.body.id}`, route: 'GET /v1/vex/:id', token: reader })).status, 404);

    // A document the CLI would only warn about is refused, naming what was wrong; nothing is stored.
    const bad = await post(api, writer, openvex([{ vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': PKG }], status: 'maybe' }]));
    assert.equal(bad.status, 400);
    assert.equal((bad.body as unknown as { code: string }).code, 'bad-vex');
    assert.match((bad.body as unknown as { message: string }).message, /unknown status "maybe"/);
    const noJustification = await post(api, writer, openvex([{ vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': PKG }], status: 'not_affected' }]));
    assert.equal(noJustification.status, 400);
    assert.match((noJustification.body as unknown as { message: string }).message, /neither justification nor impact_statement/);
    assert.equal((await api.call<Page<VexDocumentSummary>>({ method: 'GET', url: '/v1/vex', route: 'GET /v1/vex', token: reader })).body.items.length, 1);

    // Deleting an image deletes its findings' VEX rows; deleting the organisation every VEX row.
    assert.equal(await acme.deleteImage(app0), true);
    assert.equal((await api.call<VexDocumentDetail>({ method: 'GET', url: `/v1/vex/${first.body.id}`, route: 'GET /v1/vex/:id', token: reader })).body.findings, 1);
    assert.equal(await api.platform.deleteOrg(acme.org.id), true);
    const counts = await api.platform.tableCounts();
    for (const table of ['vex_documents', 'vex_statements', 'vex_statement_ids', 'finding_vex']) assert.equal(counts[table], 0, table);
  });

  test(`${backend}: GET /v1/vulnerabilities filters on VEX status (?vex=) and counts each row's findings by status; another organisation sees none of it`, async (t) => {
    const api = await testApi(backend, t);
    const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
    const globex = await api.tokenFor('globex', 'admin');
    const globexStore = api.platform.forOrg((await api.platform.orgByName('globex'))!);
    const reader = await api.tokenFor('acme', 'read');
    const put = async (store: typeof acme, i: number, findings: [string, string][]) =>
      (await store.putImage(uploadOf({ layers: ['base', `app-${i}`], purls: [...new Set(findings.map((f) => f[0]))], findings, repository: `shop/app-${i}`, tags: ['1.0'] }))).image.digest;
    // CVE-1 in three images (not_affected in two, affected in one); CVE-2 in one (not_affected); CVE-3 in one (no statement).
    await put(acme, 0, [[PKG, 'CVE-2099-0001'], ['pkg:npm/two@1.0.0', 'CVE-2099-0002']]);
    await put(acme, 1, [[PKG, 'CVE-2099-0001'], ['pkg:npm/three@1.0.0', 'CVE-2099-0003']]);
    await put(acme, 2, [['pkg:npm/other-pkg@3.0.0', 'CVE-2099-0001']]);
    await put(globexStore, 0, [[PKG, 'CVE-2099-0001'], ['pkg:npm/two@1.0.0', 'CVE-2099-0002']]);
    const doc = openvex([
      { vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:npm/scout-test-pkg' }], status: 'not_affected', justification: 'vulnerable_code_not_present' },
      { vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:npm/other-pkg' }], status: 'affected' },
      { vulnerability: { name: 'CVE-2099-0002' }, products: [{ '@id': 'pkg:npm/two' }], status: 'not_affected', justification: 'component_not_present' },
    ]);
    assert.equal((await post(api, api.admin, doc)).status, 201);
    const list = (token: string, query = '') => api.call<Page<VulnerabilitySummary> & { total: number }>({ method: 'GET', url: `/v1/vulnerabilities${query}`, route: 'GET /v1/vulnerabilities', token });
    const rows = async (token: string, query = '') => {
      const r = await list(token, query);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return Object.fromEntries(r.body.items.map((v) => [v.id, { images: v.images, vex: v.vex }]));
    };
    const counts = (not_affected: number, affected: number, none: number) => ({ not_affected, affected, fixed: 0, under_investigation: 0, none });
    assert.deepEqual(await rows(reader), {
      'CVE-2099-0001': { images: 3, vex: counts(2, 1, 0) },
      'CVE-2099-0002': { images: 1, vex: counts(1, 0, 0) },
      'CVE-2099-0003': { images: 1, vex: counts(0, 0, 1) },
    });
    // Hiding not_affected: CVE-2 goes (its only finding is), CVE-1 stays for its affected image;
    // the counts still show every status (they are of the other filters).
    const hide = '?vex=affected&vex=fixed&vex=under_investigation&vex=none';
    assert.deepEqual(await rows(reader, hide), { 'CVE-2099-0001': { images: 1, vex: counts(2, 1, 0) }, 'CVE-2099-0003': { images: 1, vex: counts(0, 0, 1) } });
    assert.equal((await list(reader, hide)).body.total, 2);
    assert.deepEqual(Object.keys(await rows(reader, '?vex=not_affected')), ['CVE-2099-0001', 'CVE-2099-0002']);
    assert.deepEqual(Object.keys(await rows(reader, '?vex=none')), ['CVE-2099-0003']);
    assert.deepEqual(Object.keys(await rows(reader, '?vex=fixed')), []);
    assert.equal((await list(reader, '?vex=maybe')).status, 400);
    // The other organisation's findings are decided by none of it: every one is `none`, and its
    // not_affected filter finds nothing.
    assert.deepEqual(await rows(globex), { 'CVE-2099-0001': { images: 1, vex: counts(0, 0, 1) }, 'CVE-2099-0002': { images: 1, vex: counts(0, 0, 1) } });
    assert.deepEqual(await rows(globex, '?vex=not_affected'), {});
  });

  test(`${backend}: a VEX statement judges the image's policies again (policy.changed, trigger vex), and a finding a re-match opens later gets the stored statements' status`, async (t) => {
    const api = await testApi(backend, t, { jobs: { webhookBackoffMs: 50 } });
    const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
    const { digest } = (await acme.putImage(uploadOf({ layers: ['base', 'app'], purls: [PKG], repository: 'shop/app', tags: ['1.0'] }))).image;
    // A statement for a vulnerability no advisory names yet.
    const early = await post(api, api.admin, openvex([{ vulnerability: { name: 'CVE-2099-0007' }, products: [{ '@id': 'pkg:npm/scout-test-pkg@1.0.0' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' }]));
    assert.equal(early.status, 201);
    assert.equal(early.body.changedImages, 0);

    // Two advisories: a critical one with a fix (the built-in policy fails on it), and the one the statement names.
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-TEST-6', 'CVE-2099-0006', '1.5.0', { database_specific: { severity: 'CRITICAL' } }), testOsv('SCOUT-TEST-7', 'CVE-2099-0007', '1.5.0')] });
    await api.jobs!.queue.idle(undefined, 30_000);
    const findings = (await findingsOf(api, api.admin, digest)).body.items;
    assert.deepEqual(findings.map((f) => [f.vulnerabilityId, f.vex?.status]), [['CVE-2099-0006', undefined], ['CVE-2099-0007', 'not_affected']]);
    const policy = async () => (await api.call<{ current: { results: { id: string; status: string }[] }; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${digest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin })).body;
    const statusOfPolicy = async () => (await policy()).current.results.find((r) => r.id === 'no-fixable-critical-high')?.status;
    assert.equal(await statusOfPolicy(), 'fail');

    // The vendor says the critical one does not affect it: the policy passes, with an event.
    const before = (await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: api.admin })).body.items.length;
    const vex = await post(api, api.admin, openvex([{ vulnerability: { name: 'CVE-2099-0006' }, products: [{ '@id': 'pkg:docker/shop/app:1.0' }], status: 'not_affected', justification: 'component_not_present' }], { '@id': 'https://example.com/vex/6' }));
    assert.equal(vex.status, 201, JSON.stringify(vex.body));
    assert.equal(vex.body.changedImages, 1);
    assert.equal(await statusOfPolicy(), 'pass');
    assert.equal((await policy()).history[0]?.trigger, 'vex');
    const events = (await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: api.admin })).body.items;
    assert.equal(events.length, before + 1);
    assert.deepEqual(events.at(-1)?.policy?.policies.find((p) => p.id === 'no-fixable-critical-high'), { id: 'no-fixable-critical-high', title: events.at(-1)!.policy!.policies.find((p) => p.id === 'no-fixable-critical-high')!.title, status: 'pass', previous: 'fail' });

    // Withdrawn: the policy fails again.
    assert.equal((await api.call({ method: 'DELETE', url: `/v1/vex/${vex.body.id}`, route: 'DELETE /v1/vex/:id', token: api.admin })).status, 204);
    assert.equal(await statusOfPolicy(), 'fail');
    assert.equal((await policy()).history[0]?.trigger, 'vex');
    const image = await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${digest}`, route: 'GET /v1/images/:digest', token: api.admin });
    assert.equal(image.body.vulnerabilities.critical, 1, 'counts are of open findings, VEX or not (as scout cves counts them)');
  });
}
