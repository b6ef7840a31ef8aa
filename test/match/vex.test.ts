import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { CompiledCapture } from '../../src/image/capture.js';
import { FileTree } from '../../src/image/filetree.js';
import { filterFindings, loadVex, match, parseVex, vexCapture, vexFromTree } from '../../src/match/index.js';
import type { Sbom } from '../../src/sbom/model.js';
import { Warnings } from '../../src/util/errors.js';
import { DEBIAN_12, MATCH_FIXTURES, deb, pkg, sbomOf, storeWith } from './helpers.js';

const schema = JSON.parse(readFileSync(join(MATCH_FIXTURES, 'openvex', 'openvex_json_schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat('iri', /^[a-z][a-z0-9+.-]*:\S+$/i);
const validate = ajv.compile(schema);

const IMAGE = 'pkg:oci/app@sha256%3A' + 'a'.repeat(64);

function doc(id: string, timestamp: string, statements: unknown[]) {
  const d = { '@context': 'https://openvex.dev/ns/v0.2.0', '@id': `https://example.test/vex/${id}`, author: 'Example Security <security@example.test>', timestamp, version: 1, statements };
  // Every document these tests use is valid OpenVEX 0.2.0.
  assert.ok(validate(d), JSON.stringify(validate.errors));
  return d;
}

const aptNotAffected = doc('apt', '2024-05-01T00:00:00Z', [{
  vulnerability: { name: 'CVE-2011-3374' },
  products: [{ '@id': IMAGE, subcomponents: [{ '@id': 'pkg:deb/debian/apt' }] }],
  status: 'not_affected',
  justification: 'vulnerable_code_not_in_execute_path',
  impact_statement: 'apt-key is never run in this image',
}]);

const lodash = doc('lodash', '2024-05-01T00:00:00Z', [
  // Older statement: affected. Newer one (statement timestamp): not affected. The newer wins.
  { vulnerability: { name: 'GHSA-29mw-wpgm-hmr9' }, timestamp: '2024-01-01T00:00:00Z', products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'affected', action_statement: 'upgrade' },
  { vulnerability: { name: 'GHSA-29mw-wpgm-hmr9', aliases: ['CVE-2020-28500'] }, timestamp: '2024-06-01T00:00:00Z', products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'not_affected', justification: 'vulnerable_code_not_present' },
  { vulnerability: { name: 'CVE-2020-8203' }, products: [{ identifiers: { purl: 'pkg:npm/lodash' } }], status: 'under_investigation' },
  // Another version: must not apply to 4.17.15.
  { vulnerability: { name: 'CVE-2021-23337' }, products: [{ '@id': 'pkg:npm/lodash@4.17.11' }], status: 'not_affected', justification: 'component_not_present' },
]);

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'scout-vex-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('not_affected suppresses with its justification; other statuses annotate; newest statement wins', async (t) => {
  const store = await storeWith(t, ['debian-selected.osv.jsonl.gz', 'match/ghsa-npm-lodash-marked.osv.jsonl.gz']);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'apt.json'), JSON.stringify(aptNotAffected));
  writeFileSync(join(dir, 'lodash.json'), JSON.stringify(lodash));
  writeFileSync(join(dir, 'notes.txt'), 'not a vex file');
  const warnings = new Warnings();
  const docs = await loadVex(dir, warnings);
  assert.equal(docs.length, 2);
  assert.deepEqual(warnings.items, []);

  const sbom = sbomOf([deb('apt', '2.6.1'), deb('libc6', '2.36-9+deb12u1', 'glibc'), pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' })], DEBIAN_12);
  const r = await match(sbom, store, { vex: docs });
  const apt = r.findings.find((f) => f.id === 'CVE-2011-3374')!;
  assert.equal(apt.suppressed?.justification, 'vulnerable_code_not_in_execute_path');
  assert.equal(apt.suppressed?.statement?.impactStatement, 'apt-key is never run in this image');
  assert.equal(apt.suppressed?.statement?.file, join(dir, 'apt.json'));
  assert.ok(r.findings.filter((f) => f.package.name === 'libc6').every((f) => f.suppressed === undefined && f.vex === undefined));

  const redos = r.findings.find((f) => f.id === 'CVE-2020-28500')!;
  assert.equal(redos.vex?.status, 'not_affected');
  assert.equal(redos.suppressed?.justification, 'vulnerable_code_not_present');
  const proto = r.findings.find((f) => f.id === 'CVE-2020-8203')!;
  assert.equal(proto.vex?.status, 'under_investigation');
  assert.equal(proto.suppressed, undefined);
  const defaults = r.findings.find((f) => f.id === 'CVE-2021-23337')!;
  assert.equal(defaults.vex, undefined, 'a statement for lodash@4.17.11 does not cover 4.17.15');

  const shown = filterFindings(r.findings, { onlyVexAffected: true });
  assert.deepEqual(shown.filter((f) => f.suppressed).length, 0);
  assert.equal(shown.length, r.findings.length - 2);
});

test('VEX files inside the image: captured by vexCapture, read by vexFromTree', () => {
  const cap = new CompiledCapture(vexCapture);
  assert.ok(cap.captureLimit('/usr/share/vex/app.vex.json') > 0);
  assert.equal(cap.captureLimit('/etc/app.json'), 0);
  const ref = { index: 0, digest: 'sha256:' + 'c'.repeat(64), diffId: 'sha256:' + 'c'.repeat(64) };
  const files = new Map<string, Buffer>([
    ['/usr/share/vex/app.vex.json', Buffer.from(JSON.stringify(aptNotAffected))],
    ['/opt/broken.vex.json', Buffer.from('{"statements": [')],
  ]);
  const tree = FileTree.fromLayers([{ ref, index: {
    diffId: ref.diffId,
    entries: [...files.keys()].map((path) => ({ path, type: 'file' as const, size: files.get(path)!.length, mode: 0o644 })),
    captured: files,
    analyses: new Map(),
    warnings: [],
    uncompressedSize: 0,
  } }]);
  const warnings = new Warnings();
  const docs = vexFromTree(tree, warnings);
  assert.deepEqual(docs.map((d) => d.file), ['/usr/share/vex/app.vex.json']);
  assert.equal(docs[0].statements[0].vulnerability, 'CVE-2011-3374');
  assert.deepEqual(warnings.items.map((w) => [w.code, w.path]), [['vex-malformed', '/opt/broken.vex.json']]);
});

test('hostile VEX: each problem is a warning naming the file, good statements survive', async (t) => {
  const dir = tempDir(t);
  const cases: Record<string, string> = {
    'not-json.json': '{{{',
    'array.json': '[1,2,3]',
    'mixed.json': JSON.stringify({ ...lodash, statements: [...lodash.statements, 42, { vulnerability: { name: 'CVE-1' }, status: 'exploited', products: [{ '@id': 'pkg:npm/x' }] }, { vulnerability: { name: 'CVE-2' }, status: 'not_affected', products: [{ '@id': 'pkg:npm/x' }] }, { vulnerability: {}, status: 'fixed', products: [] }] }),
    'deep.json': '['.repeat(5000) + ']'.repeat(5000),
  };
  for (const [n, text] of Object.entries(cases)) writeFileSync(join(dir, n), text);
  const warnings = new Warnings();
  const docs = await loadVex(dir, warnings);
  assert.deepEqual(docs.map((d) => [d.file.slice(dir.length + 1), d.statements.length]), [['mixed.json', lodash.statements.length]]);
  const byFile = new Map(warnings.items.map((w) => [w.path!.slice(dir.length + 1), w.code]));
  assert.deepEqual(Object.fromEntries([...byFile].sort()), { 'array.json': 'vex-malformed', 'deep.json': 'vex-malformed', 'mixed.json': 'vex-statement-invalid', 'not-json.json': 'vex-malformed' });
  const missing = new Warnings();
  assert.deepEqual(await loadVex(join(dir, 'nope.json'), missing), []);
  assert.equal(missing.items[0].code, 'vex-unreadable');
  assert.equal(parseVex('null', 'x.json', new Warnings()), undefined);
});

/** This scan's image: registry.example:5000/team/app:1.0 with its own digests. */
const THIS_DIGEST = 'sha256:' + 'd'.repeat(64);
const OTHER_DIGEST = 'sha256:' + 'e'.repeat(64);
function imageSbom(): Sbom {
  const s = sbomOf([deb('apt', '2.6.1')], DEBIAN_12);
  s.image = {
    reference: 'registry.example:5000/team/app:1.0',
    source: 'registry',
    digest: THIS_DIGEST,
    configDigest: 'sha256:' + 'c'.repeat(64),
    platform: { os: 'linux', architecture: 'amd64' },
    os: { type: 'linux' },
    exposedPorts: [],
    env: [],
    labels: {},
    layers: [],
    history: [],
    registry: { host: 'registry.example:5000', url: 'https://registry.example:5000', type: 'other', repository: 'team/app', tag: '1.0' },
    size: { compressed: 0 },
  };
  return s;
}

function aptStatement(product: Record<string, unknown>) {
  return doc('scope', '2024-05-01T00:00:00Z', [{ vulnerability: { name: 'CVE-2011-3374' }, products: [product], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }]);
}

test('VEX product scope: a statement for another image never suppresses; one for this image does', async (t) => {
  const store = await storeWith(t, ['debian-selected.osv.jsonl.gz']);
  const apt = { '@id': 'pkg:deb/debian/apt' };
  const others: Record<string, unknown>[] = [
    { '@id': `pkg:oci/other@${encodeURIComponent(OTHER_DIGEST)}` },
    { '@id': `pkg:oci/app@${encodeURIComponent(OTHER_DIGEST)}` },
    { '@id': `pkg:oci/other@${encodeURIComponent(OTHER_DIGEST)}`, subcomponents: [apt] },
    { '@id': `pkg:docker/team/app@${encodeURIComponent(OTHER_DIGEST)}`, subcomponents: [apt] },
    { '@id': 'pkg:docker/team/other' },
    { '@id': 'pkg:docker/evil/app' },
    { '@id': 'pkg:docker/evil/app', subcomponents: [apt] },
    { '@id': 'pkg:docker/team/app@2.0' },
    { '@id': 'pkg:oci/app?repository_url=ghcr.io/team/app' },
    { '@id': 'pkg:oci/app?tag=2.0' },
    { identifiers: { purl: 'pkg:oci/other' }, subcomponents: [apt] },
  ];
  const mine: Record<string, unknown>[] = [
    { '@id': `pkg:oci/app@${encodeURIComponent(THIS_DIGEST)}` },
    { '@id': `pkg:oci/other-name@${encodeURIComponent(THIS_DIGEST)}`, subcomponents: [apt] },
    { '@id': 'pkg:docker/team/app@1.0' },
    { '@id': 'pkg:docker/team/app', subcomponents: [apt] },
    { '@id': 'pkg:docker/app' },
    { '@id': 'pkg:oci/app?repository_url=registry.example:5000/team/app&tag=1.0' },
  ];
  const aptFinding = async (product: Record<string, unknown>) => {
    const d = parseVex(JSON.stringify(aptStatement(product)), 'scope.json')!;
    const r = await match(imageSbom(), store, { vex: [d] });
    return r.findings.find((f) => f.id === 'CVE-2011-3374')!;
  };
  for (const product of others) {
    const f = await aptFinding(product);
    assert.equal(f.suppressed, undefined, `${JSON.stringify(product)} is another image`);
    assert.equal(f.vex, undefined, `${JSON.stringify(product)} is another image`);
  }
  for (const product of mine) {
    const f = await aptFinding(product);
    assert.equal(f.suppressed?.justification, 'vulnerable_code_not_in_execute_path', `${JSON.stringify(product)} is this image`);
  }
});
