/**
 * CycloneDX VEX on the platform, both backends: POST /v1/vex takes a CycloneDX BOM with
 * `vulnerabilities[].analysis` as it takes OpenVEX (read by the CLI's reader): its analysis
 * states decide the organisation's findings by bom-ref or purl, the stored document shows the
 * statements as read; the spec's own example whose products have no package URL is a 400
 * naming that; another organisation's findings are untouched and its document is 404 to them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { VexDocumentDetail } from '../../src/store/kysely/vex-store.js';
import type { StoredFinding } from '../../src/store/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { cycloneDxValidator } from '../sbom/formats/schema-validators.js';

type Added = { id: string; created: boolean; changedImages: number; document: VexDocumentDetail };
const PKG = 'pkg:npm/scout-test-pkg@1.0.0';

const CDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  serialNumber: 'urn:uuid:0b1f8a4e-6c1d-4f55-9a53-2f2a5b7d9c10',
  version: 1,
  metadata: { timestamp: '2026-02-01T00:00:00Z', authors: [{ name: 'Acme PSIRT' }], component: { type: 'application', name: 'shop', version: '1.0', 'bom-ref': 'shop' } },
  components: [{ type: 'library', name: 'scout-test-pkg', version: '1.0.0', purl: PKG, 'bom-ref': 'scout-test-pkg-1.0.0' }],
  vulnerabilities: [
    { id: 'CVE-2099-0001', analysis: { state: 'not_affected', justification: 'requires_dependency', detail: 'The optional dependency is never installed.' }, affects: [{ ref: 'scout-test-pkg-1.0.0' }] },
    { id: 'CVE-2099-0002', analysis: { state: 'exploitable', response: ['update'] }, affects: [{ ref: 'pkg:npm/scout-test-pkg' }] },
  ],
};

for (const backend of BACKENDS) {
  test(`${backend}: POST /v1/vex takes CycloneDX VEX: analysis states decide findings by bom-ref or purl; a product without purl is a 400; another organisation sees none of it`, async (t) => {
    const validate = cycloneDxValidator();
    assert.ok(validate(CDX), JSON.stringify(validate.errors?.slice(0, 3)));
    const api = await testApi(backend, t);
    const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
    const globex = await api.tokenFor('globex', 'admin');
    const globexStore = api.platform.forOrg((await api.platform.orgByName('globex'))!);
    const upload = () => uploadOf({ layers: ['base', 'app'], purls: [PKG], findings: [[PKG, 'CVE-2099-0001'], [PKG, 'CVE-2099-0002']], repository: 'shop/app', tags: ['1.0'] });
    const ours = (await acme.putImage(upload())).image.digest;
    const theirs = (await globexStore.putImage(upload())).image.digest;
    const statuses = async (token: string, digest: string) =>
      (await api.call<{ items: StoredFinding[] }>({ method: 'GET', url: `/v1/images/${digest}/findings`, route: 'GET /v1/images/:digest/findings', token })).body.items.map((f) => [f.vulnerabilityId, f.vex?.status, f.vex?.justification]);

    const added = await api.call<Added>({ method: 'POST', url: '/v1/vex', route: 'POST /v1/vex', token: api.admin, payload: CDX });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.changedImages, 1);
    assert.deepEqual([added.body.document.documentId, added.body.document.author, added.body.document.timestamp, added.body.document.findings], [CDX.serialNumber, 'Acme PSIRT', '2026-02-01T00:00:00Z', 2]);
    assert.deepEqual(added.body.document.statements.map((s) => [s.vulnerability, s.status, s.products]), [
      ['CVE-2099-0001', 'not_affected', [{ purls: [PKG], subcomponents: [] }]],
      ['CVE-2099-0002', 'affected', [{ purls: ['pkg:npm/scout-test-pkg'], subcomponents: [] }]],
    ]);
    assert.deepEqual(await statuses(api.admin, ours), [['CVE-2099-0001', 'not_affected', 'component_not_present'], ['CVE-2099-0002', 'affected', undefined]]);
    assert.deepEqual(await statuses(globex, theirs), [['CVE-2099-0001', undefined, undefined], ['CVE-2099-0002', undefined, undefined]]);
    assert.equal((await api.call({ method: 'GET', url: `/v1/vex/${added.body.id}`, route: 'GET /v1/vex/:id', token: globex })).status, 404);

    // The spec's CISA example names its product by a bom-ref without purl: refused, nothing stored.
    const cisa = JSON.parse(readFileSync(new URL('../fixtures/match/cyclonedx-vex/bom-examples-cisa-case-3.json', import.meta.url), 'utf8')) as object;
    const refused = await api.call<{ code: string; message: string }>({ method: 'POST', url: '/v1/vex', route: 'POST /v1/vex', token: api.admin, payload: cisa });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'bad-vex');
    assert.match(refused.body.message, /CVE-2020-11896: affects ref "product-GHI" names no component with a package URL/);
    assert.equal((await api.call<{ items: unknown[] }>({ method: 'GET', url: '/v1/vex', route: 'GET /v1/vex', token: api.admin })).body.items.length, 1);
  });
}
