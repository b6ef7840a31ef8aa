// How an OpenVEX document is read (src/match/vex.ts), field by field and at its limits: the
// fields a statement keeps, the problems that drop a statement and what the warning says, the
// limits on statements, products, files and string lengths, and the files a location gives.
// Documents are shaped as OpenVEX 0.2.0 (https://github.com/openvex/spec) writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTree } from '../../src/image/filetree.js';
import { loadVex, parseVex, readVexFiles, refOf, VEX_LIMITS, vexFromTree } from '../../src/match/vex.js';
import { Warnings } from '../../src/util/errors.js';

const CONTEXT = 'https://openvex.dev/ns/v0.2.0';

function vexDoc(statements: unknown[], extra: Record<string, unknown> = {}) {
  return { '@context': CONTEXT, '@id': 'https://example.test/vex/1', author: 'Example Security', timestamp: '2024-05-01T00:00:00Z', version: 1, statements, ...extra };
}

const notAffected = (name: string, product: unknown = { '@id': 'pkg:npm/lodash@4.17.15' }) => ({ vulnerability: { name }, products: [product], status: 'not_affected', justification: 'vulnerable_code_not_present' });

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'scout-vexdoc-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a statement keeps every field OpenVEX gives it; the document its id, author and timestamp', () => {
  const w = new Warnings();
  const d = parseVex(JSON.stringify(vexDoc([
    {
      vulnerability: { '@id': 'https://nvd.nist.gov/vuln/detail/CVE-2020-28500', name: 'CVE-2020-28500', aliases: ['GHSA-29mw-wpgm-hmr9', '', 7] },
      timestamp: '2024-06-01T00:00:00Z',
      products: [{ '@id': 'pkg:npm/lodash@4.17.15' }],
      status: 'affected',
      action_statement: 'Upgrade lodash to 4.17.21',
      status_notes: 'reachable from the API',
      impact_statement: 'toNumber is called on user input',
    },
    // last_updated stands in for a missing timestamp; the vulnerability may be a bare string.
    { vulnerability: 'CVE-2020-8203', last_updated: '2024-07-01T00:00:00Z', products: [{ identifiers: { purl: 'pkg:npm/lodash' } }], status: 'fixed' },
    { vulnerability: { name: 'CVE-2021-23337' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'under_investigation' },
    { vulnerability: { name: 'CVE-2019-10744' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'not_affected', impact_statement: 'defaultsDeep is not used' },
  ])), 'doc.json', w)!;
  assert.deepEqual(w.items, []);
  assert.deepEqual([d.file, d.id, d.author, d.timestamp], ['doc.json', 'https://example.test/vex/1', 'Example Security', '2024-05-01T00:00:00Z']);
  const [a, b, c, e] = d.statements;
  assert.deepEqual({ ...a, products: undefined }, {
    vulnerability: 'CVE-2020-28500', aliases: ['GHSA-29mw-wpgm-hmr9'], products: undefined, status: 'affected',
    actionStatement: 'Upgrade lodash to 4.17.21', statusNotes: 'reachable from the API', impactStatement: 'toNumber is called on user input', timestamp: '2024-06-01T00:00:00Z',
  });
  assert.deepEqual(a.products, [{ purls: [{ type: 'npm', name: 'lodash', version: '4.17.15' }], subcomponents: [] }]);
  assert.deepEqual({ ...b, products: undefined }, { vulnerability: 'CVE-2020-8203', aliases: [], products: undefined, status: 'fixed', timestamp: '2024-07-01T00:00:00Z' });
  assert.deepEqual(b.products, [{ purls: [{ type: 'npm', name: 'lodash' }], subcomponents: [] }]);
  assert.deepEqual(Object.keys(c).sort(), ['aliases', 'products', 'status', 'vulnerability']);
  assert.deepEqual([e.status, e.impactStatement, e.justification], ['not_affected', 'defaultsDeep is not used', undefined]);

  // The reference a finding carries names the document and the statement.
  assert.deepEqual(refOf(d, a), {
    file: 'doc.json', documentId: 'https://example.test/vex/1', author: 'Example Security', timestamp: '2024-06-01T00:00:00Z', vulnerability: 'CVE-2020-28500', status: 'affected',
    impactStatement: 'toNumber is called on user input', actionStatement: 'Upgrade lodash to 4.17.21', statusNotes: 'reachable from the API',
  });
  // A statement without a timestamp takes the document's.
  assert.equal(refOf(d, c).timestamp, '2024-05-01T00:00:00Z');
  assert.equal(refOf(d, statementWithJustification()).justification, 'inline_mitigations_already_exist');
  // A document without id, author or timestamp: the reference has none.
  const bare = parseVex({ statements: [notAffected('CVE-1')] }, 'bare.json', w)!;
  assert.deepEqual(Object.keys(bare).sort(), ['file', 'statements']);
  assert.deepEqual(refOf(bare, bare.statements[0]), { file: 'bare.json', vulnerability: 'CVE-1', status: 'not_affected', justification: 'vulnerable_code_not_present' });
});

function statementWithJustification() {
  return parseVex(vexDoc([{ vulnerability: { name: 'CVE-3' }, products: [{ '@id': 'pkg:npm/x' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' }]), 'j.json')!.statements[0];
}

test('products: @id and identifiers.purl both count, subcomponents are kept, what is not a purl is not', () => {
  const d = parseVex(vexDoc([{
    vulnerability: { name: 'CVE-2011-3374' },
    status: 'affected',
    products: [
      { '@id': 'pkg:oci/app@sha256%3A' + 'a'.repeat(64), identifiers: { purl: 'pkg:docker/team/app@1.0' }, subcomponents: [{ '@id': 'pkg:deb/debian/apt' }, { '@id': 'https://example.test/not-a-purl' }, { identifiers: { purl: 'pkg:deb/debian/libc6?arch=amd64' } }, 'pkg:deb/debian/x'] },
      // Nothing with a package URL: not a product here.
      { '@id': 'https://example.test/product/1' },
      { '@id': 'PKG:npm/upper-case' },
      { '@id': 'pkg:' },
      { identifiers: 'pkg:npm/x' },
      'pkg:npm/bare-string',
      { subcomponents: [{ '@id': 'pkg:npm/only-sub' }] },
    ],
  }]), 'p.json')!;
  const products = d.statements[0].products;
  assert.deepEqual(products.map((p) => [p.purls.map((x) => `${x.type}/${x.namespace ?? ''}/${x.name}`), p.subcomponents.map((x) => `${x.type}/${x.namespace ?? ''}/${x.name}`)]), [
    [['oci//app', 'docker/team/app'], ['deb/debian/apt', 'deb/debian/libc6']],
    [[], ['npm//only-sub']],
  ]);
  assert.deepEqual(products[0].subcomponents[1].qualifiers, { arch: 'amd64' });
});

test('statements that are dropped, and the one warning that counts them with their reasons', () => {
  const w = new Warnings();
  const d = parseVex(vexDoc([
    notAffected('CVE-OK'),
    42,
    ['CVE-1'],
    { products: [{ '@id': 'pkg:npm/x' }], status: 'fixed' },
    { vulnerability: { name: '' }, products: [{ '@id': 'pkg:npm/x' }], status: 'fixed' },
    { vulnerability: { name: 'CVE-2' }, products: [{ '@id': 'pkg:npm/x' }], status: 'exploited' },
    { vulnerability: { name: 'CVE-3' }, products: [{ '@id': 'pkg:npm/x' }] },
    { vulnerability: { name: 'CVE-4' }, products: [], status: 'fixed' },
    { vulnerability: { name: 'CVE-5' }, products: 'pkg:npm/x', status: 'fixed' },
    { vulnerability: { name: 'CVE-6' }, products: [{ '@id': 'https://example.test/x' }], status: 'fixed' },
    { vulnerability: { name: 'CVE-7' }, products: [{ '@id': 'pkg:npm/x' }], status: 'not_affected' },
    { vulnerability: { name: 'CVE-8' }, products: [{ '@id': 'pkg:npm/x' }], status: 'not_affected', justification: '', impact_statement: '' },
  ]), 'bad.json', w)!;
  assert.deepEqual(d.statements.map((s) => s.vulnerability), ['CVE-OK']);
  assert.equal(w.items.length, 1);
  assert.equal(w.items[0].code, 'vex-statement-invalid');
  assert.equal(w.items[0].path, 'bad.json');
  // Eleven dropped; the first five distinct reasons are named, in the order met.
  assert.equal(w.items[0].message, '11 VEX statement(s) ignored: statement is not an object; statement without vulnerability name; unknown status "exploited"; unknown status "undefined"; statement for CVE-4 names no products');
  const rest = new Warnings();
  parseVex(vexDoc([
    { vulnerability: { name: 'CVE-5' }, products: 'pkg:npm/x', status: 'fixed' },
    { vulnerability: { name: 'CVE-6' }, products: [{ '@id': 'https://example.test/x' }], status: 'fixed' },
    { vulnerability: { name: 'CVE-7' }, products: [{ '@id': 'pkg:npm/x' }], status: 'not_affected' },
    { vulnerability: { name: 'CVE-8' }, products: [{ '@id': 'pkg:npm/x' }], status: 'not_affected', justification: '', impact_statement: '' },
    { vulnerability: { name: 'CVE-9' }, products: [{ '@id': 'pkg:npm/x' }], status: 'x'.repeat(100) },
  ]), 'rest.json', rest);
  assert.deepEqual(rest.items.map((x) => x.message), [
    `5 VEX statement(s) ignored: statement for CVE-5 names no products; statement for CVE-6 has no product with a package URL; not_affected statement for CVE-7 has neither justification nor impact_statement; not_affected statement for CVE-8 has neither justification nor impact_statement; unknown status "${'x'.repeat(40)}"`,
  ]);
  // A document whose statements are all good warns of nothing.
  const none = new Warnings();
  parseVex(vexDoc([notAffected('CVE-1')]), 'good.json', none);
  assert.deepEqual(none.items, []);
});

test('limits: string length, aliases, products per statement, statements per document, file size', () => {
  const w = new Warnings();
  const long = 'x'.repeat(VEX_LIMITS.stringLength);
  const d = parseVex(vexDoc([
    { ...notAffected('CVE-1'), justification: long, status_notes: long + 'x', action_statement: long + 'x' },
    { ...notAffected('CVE-' + '1'.repeat(VEX_LIMITS.stringLength)) },
    { ...notAffected('CVE-2'), vulnerability: { name: 'CVE-2', aliases: Array.from({ length: 150 }, (_, i) => `GHSA-${i}`) } },
  ], { author: long + 'x', '@id': long }), 'limits.json', w)!;
  assert.equal(d.statements[0].justification, long, 'a string of exactly the limit is kept');
  assert.equal(d.statements[0].statusNotes, undefined, 'one character over is dropped');
  assert.equal(d.statements[0].actionStatement, undefined);
  assert.equal(d.author, undefined);
  assert.equal(d.id, long);
  assert.deepEqual(d.statements.map((s) => s.vulnerability), ['CVE-1', 'CVE-2'], 'a name over the limit is no name');
  assert.equal(d.statements[1].aliases.length, 100);
  assert.equal(d.statements[1].aliases[99], 'GHSA-99');

  // Products: up to the limit per statement; one more drops the statement.
  const products = (n: number) => Array.from({ length: n }, (_, i) => ({ '@id': `pkg:npm/p${i}` }));
  const pw = new Warnings();
  const p = parseVex(vexDoc([
    { vulnerability: { name: 'CVE-AT' }, products: products(VEX_LIMITS.productsPerStatement), status: 'fixed' },
    { vulnerability: { name: 'CVE-OVER' }, products: products(VEX_LIMITS.productsPerStatement + 1), status: 'fixed' },
    { vulnerability: { name: 'CVE-SUBS' }, products: [{ '@id': 'pkg:oci/app', subcomponents: products(VEX_LIMITS.productsPerStatement + 5) }], status: 'fixed' },
  ]), 'products.json', pw)!;
  assert.deepEqual(p.statements.map((s) => s.vulnerability), ['CVE-AT', 'CVE-SUBS']);
  assert.equal(p.statements[0].products.length, VEX_LIMITS.productsPerStatement);
  assert.equal(p.statements[1].products[0].subcomponents.length, VEX_LIMITS.productsPerStatement, 'subcomponents are cut at the limit');
  assert.deepEqual(pw.items.map((x) => x.message), ['1 VEX statement(s) ignored: statement for CVE-OVER has too many products']);

  // Statements: the first VEX_LIMITS.statements are read, with a warning; exactly the limit, no warning.
  const many = (n: number) => Array.from({ length: n }, (_, i) => notAffected(`CVE-2024-${i}`));
  const at = new Warnings();
  assert.equal(parseVex(vexDoc(many(VEX_LIMITS.statements)), 'at.json', at)!.statements.length, VEX_LIMITS.statements);
  assert.deepEqual(at.items, []);
  const over = new Warnings();
  const o = parseVex(vexDoc(many(VEX_LIMITS.statements + 2)), 'over.json', over)!;
  assert.equal(o.statements.length, VEX_LIMITS.statements);
  assert.equal(o.statements.at(-1)!.vulnerability, `CVE-2024-${VEX_LIMITS.statements - 1}`);
  assert.deepEqual(over.items.map((x) => [x.code, x.message, x.path]), [['vex-too-large', `${VEX_LIMITS.statements + 2} statements; only the first ${VEX_LIMITS.statements} are read`, 'over.json']]);

  // Text: exactly the limit is read (as a string or as bytes), one byte more is refused.
  const base = JSON.stringify(vexDoc([notAffected('CVE-1')]));
  const padded = base.slice(0, -1) + ' '.repeat(VEX_LIMITS.fileBytes - base.length) + '}';
  assert.equal(padded.length, VEX_LIMITS.fileBytes);
  const fw = new Warnings();
  assert.equal(parseVex(padded, 'at.json', fw)?.statements.length, 1);
  assert.equal(parseVex(Buffer.from(padded), 'at.json', fw)?.statements.length, 1);
  assert.deepEqual(fw.items, []);
  const bw = new Warnings();
  assert.equal(parseVex(padded + ' ', 'big.json', bw), undefined);
  assert.deepEqual(bw.items.map((x) => [x.code, x.message, x.path]), [['vex-too-large', `VEX document larger than ${VEX_LIMITS.fileBytes} bytes`, 'big.json']]);
});

test('what is not an OpenVEX (or CycloneDX VEX) document, and an unexpected @context', () => {
  const w = new Warnings();
  assert.equal(parseVex('{"statements": [', 'broken.json', w), undefined);
  assert.equal(w.items[0].code, 'vex-malformed');
  assert.match(w.items[0].message, /^VEX document is not JSON: \S/);
  assert.ok(w.items[0].message.length <= 'VEX document is not JSON: '.length + 120);
  for (const doc of [null, [], '"text"', 42, 'null', { statements: {} }, { statements: 'x' }, {}]) {
    const dw = new Warnings();
    assert.equal(parseVex(doc, 'x.json', dw), undefined, JSON.stringify(doc));
    assert.deepEqual(dw.items.map((x) => [x.code, x.message, x.path]), [['vex-malformed', 'not an OpenVEX or CycloneDX VEX document (no statements list)', 'x.json']]);
  }
  // An empty statement list is a document with nothing to say.
  assert.deepEqual(parseVex({ statements: [] }, 'empty.json')?.statements, []);
  // Another @context is read as OpenVEX, with a warning; any openvex context (any case) is none.
  const cw = new Warnings();
  const other = 'https://cyclonedx.org/' + 'v'.repeat(100);
  assert.equal(parseVex(vexDoc([notAffected('CVE-1')], { '@context': other }), 'c.json', cw)?.statements.length, 1);
  assert.deepEqual(cw.items.map((x) => [x.code, x.message, x.path]), [['vex-context', `unexpected @context ${JSON.stringify(other.slice(0, 80))}; read as OpenVEX`, 'c.json']]);
  const ok = new Warnings();
  parseVex(vexDoc([notAffected('CVE-1')], { '@context': 'https://OpenVEX.dev/ns/v0.2.1' }), 'c.json', ok);
  parseVex(vexDoc([notAffected('CVE-1')], { '@context': undefined }), 'c.json', ok);
  assert.deepEqual(ok.items, []);
});

test('a location: one file, or the *.json files of a directory in name order, each checked', async (t) => {
  const dir = tempDir(t);
  const good = JSON.stringify(vexDoc([notAffected('CVE-1')]));
  writeFileSync(join(dir, 'b.json'), good);
  writeFileSync(join(dir, 'a.json'), good);
  writeFileSync(join(dir, 'c.json.txt'), good);
  mkdirSync(join(dir, 'sub.json'));
  writeFileSync(join(dir, 'sub.json', 'inner.json'), good);
  symlinkSync(join(dir, 'a.json'), join(dir, 'link.json'));
  writeFileSync(join(dir, 'huge.json'), Buffer.alloc(VEX_LIMITS.fileBytes + 1, 0x20));
  const w = new Warnings();
  const files = await readVexFiles(dir, w);
  // Not the other extension, not the directory, not the symbolic link, not the oversized file.
  assert.deepEqual(files.map((f) => f.path), [join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(files[0].content.toString(), good);
  assert.deepEqual(w.items.map((x) => [x.code, x.message, x.path]), [['vex-too-large', `VEX document larger than ${VEX_LIMITS.fileBytes} bytes`, join(dir, 'huge.json')]]);
  // One file named directly.
  assert.deepEqual((await readVexFiles(join(dir, 'c.json.txt'))).map((f) => f.path), [join(dir, 'c.json.txt')]);
  assert.deepEqual((await loadVex(join(dir, 'b.json'))).map((d) => [d.file, d.statements.length]), [[join(dir, 'b.json'), 1]]);
  // A location that is not there.
  const mw = new Warnings();
  assert.deepEqual(await readVexFiles(join(dir, 'missing'), mw), []);
  assert.equal(mw.items[0].code, 'vex-unreadable');
  assert.match(mw.items[0].message, /^cannot read VEX location: .*ENOENT/);
  assert.equal(mw.items[0].path, join(dir, 'missing'));
});

test('a directory of more files than the limit: the first ones by name, with a warning', async (t) => {
  const dir = tempDir(t);
  const names = Array.from({ length: VEX_LIMITS.files + 3 }, (_, i) => `v${String(i).padStart(4, '0')}.json`);
  for (const n of names) writeFileSync(join(dir, n), '{"statements":[]}');
  const w = new Warnings();
  const files = await readVexFiles(dir, w);
  assert.equal(files.length, VEX_LIMITS.files);
  assert.equal(files.at(-1)!.path, join(dir, names[VEX_LIMITS.files - 1]));
  assert.deepEqual(w.items.map((x) => [x.code, x.message, x.path]), [['vex-too-many', `${VEX_LIMITS.files + 3} VEX files; only the first ${VEX_LIMITS.files} are read`, dir]]);
  // Exactly the limit: no warning.
  for (const n of names.slice(VEX_LIMITS.files)) rmSync(join(dir, n));
  const at = new Warnings();
  assert.equal((await readVexFiles(dir, at)).length, VEX_LIMITS.files);
  assert.deepEqual(at.items, []);
});

function treeOf(files: Map<string, Buffer>, extra: { path: string; type: 'dir' | 'symlink'; linkTarget?: string }[] = []): FileTree {
  const ref = { index: 0, digest: 'sha256:' + 'c'.repeat(64), diffId: 'sha256:' + 'c'.repeat(64) };
  return FileTree.fromLayers([{ ref, index: {
    diffId: ref.diffId,
    entries: [...[...files.keys()].map((path) => ({ path, type: 'file' as const, size: files.get(path)!.length, mode: 0o644 })), ...extra.map((e) => ({ ...e, size: 0, mode: 0o755 }))],
    captured: files,
    analyses: new Map(),
    warnings: [],
    uncompressedSize: 0,
  } }]);
}

test('VEX files in the image: *.vex.json files only, at most the limit, each warning naming its path', () => {
  const good = Buffer.from(JSON.stringify(vexDoc([notAffected('CVE-1')])));
  const at = new Map(Array.from({ length: VEX_LIMITS.files }, (_, i) => [`/vex/${String(i).padStart(4, '0')}.vex.json`, good] as const));
  const w = new Warnings();
  assert.equal(vexFromTree(treeOf(at), w).length, VEX_LIMITS.files);
  assert.deepEqual(w.items, []);
  const over = new Map([...at, ['/vex/9999.vex.json', good], ['/vex/9998.vex.json', good]]);
  const ow = new Warnings();
  const docs = vexFromTree(treeOf(over), ow);
  assert.equal(docs.length, VEX_LIMITS.files);
  assert.equal(ow.items.length, 1);
  assert.equal(ow.items[0].code, 'vex-too-many');
  assert.equal(ow.items[0].message, `more than ${VEX_LIMITS.files} VEX files in the image; the rest are ignored`);
  assert.match(ow.items[0].path!, /^\/vex\/\d{4}\.vex\.json$/);
  // A directory or a link named *.vex.json is not read, and other captured files are not VEX.
  const few = new Map([['/a.vex.json', good], ['/etc/app.json', good]]);
  const fw = new Warnings();
  const fewDocs = vexFromTree(treeOf(few, [{ path: '/d.vex.json', type: 'dir' }, { path: '/l.vex.json', type: 'symlink', linkTarget: '/a.vex.json' }]), fw);
  assert.deepEqual(fewDocs.map((d) => d.file), ['/a.vex.json']);
  assert.deepEqual(fw.items, []);
});
