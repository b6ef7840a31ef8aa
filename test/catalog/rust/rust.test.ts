import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { rustCataloger } from '../../../src/catalog/rust/index.js';
import { readAuditableDeps } from '../../../src/catalog/rust/auditable.js';
import { parseCargoLock } from '../../../src/catalog/rust/cargo-lock.js';
import { indexFromMemory, treeFromMemory } from '../../../src/image/layer/memory-index.js';
import { ScoutError, Warnings } from '../../../src/util/errors.js';
import { makeExecutable, type ExeFormat } from '../golang/binaries.js';

const AUDIT = {
  packages: [
    { name: 'myapp', version: '0.3.0', source: 'local', dependencies: [1, 2], root: true },
    { name: 'serde', version: '1.0.200', source: 'crates.io', dependencies: [3] },
    { name: 'cc', version: '1.0.90', source: 'crates.io', kind: 'build' },
    { name: 'serde_derive', version: '1.0.200', source: 'crates.io' },
  ],
};

function auditableBinary(format: ExeFormat, doc: unknown = AUDIT): Buffer {
  return makeExecutable(format, '.dep-v0', () => deflateSync(Buffer.from(JSON.stringify(doc))));
}

async function catalog(files: Record<string, Buffer | string>) {
  const tree = await treeFromMemory([files], rustCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: rustCataloger.catalog(tree, { warnings }), warnings: warnings.items };
}

for (const format of ['elf', 'macho', 'pe'] as ExeFormat[]) {
  test(`cargo-auditable data from ${format}`, () => {
    const deps = readAuditableDeps(auditableBinary(format), '/bin/myapp');
    assert.deepEqual(deps?.map((d) => [d.name, d.version, d.kind, d.root, d.dependencies]), [
      ['myapp', '0.3.0', 'runtime', true, [1, 2]],
      ['serde', '1.0.200', 'runtime', false, [3]],
      ['cc', '1.0.90', 'build', false, []],
      ['serde_derive', '1.0.200', 'runtime', false, []],
    ]);
  });
}

test('catalog: auditable binary packages, relationships and edges from the root/dependencies graph', async () => {
  const { pkgs, warnings } = await catalog({ '/usr/bin/myapp': auditableBinary('elf') });
  assert.deepEqual(warnings, []);
  assert.deepEqual(pkgs.map((p) => [p.purl, p.relationship]), [
    ['pkg:cargo/myapp@0.3.0', 'root'],
    ['pkg:cargo/serde@1.0.200', 'direct'],
    ['pkg:cargo/cc@1.0.90', 'direct'],
    ['pkg:cargo/serde_derive@1.0.200', 'transitive'],
  ]);
  const [app, serde, cc, derive] = pkgs;
  assert.deepEqual(app.dependsOn, [serde.id, cc.id]);
  assert.deepEqual(serde.dependsOn, [derive.id]);
  assert.deepEqual(derive.dependencyOf, [serde.id]);
  assert.equal(cc.metadata?.kind, 'build');
  assert.ok(pkgs.every((p) => p.locations[0].path === '/usr/bin/myapp' && p.type === 'cargo'));
});

test('catalog: a plain executable without .dep-v0 yields nothing; Cargo.lock anywhere is read', async () => {
  const lock = '[[package]]\nname = "app"\nversion = "1.0.0"\ndependencies = ["itoa"]\n\n[[package]]\nname = "itoa"\nversion = "1.0.11"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n';
  const { pkgs } = await catalog({ '/bin/plain': makeExecutable('elf', '.data', () => Buffer.alloc(64)), '/src/app/Cargo.lock': lock });
  assert.deepEqual(pkgs.map((p) => [p.purl, p.relationship, p.locations[0].path]), [
    ['pkg:cargo/app@1.0.0', 'root', '/src/app/Cargo.lock'],
    ['pkg:cargo/itoa@1.0.11', 'direct', '/src/app/Cargo.lock'],
  ]);
});

test('Cargo.lock subset of TOML: comments, literal strings, escapes, multi-line arrays, junk', () => {
  const text = [
    '# comment',
    'version = 3',
    '[[package]]',
    'name = "a-crate" # trailing',
    "version = '0.1.0'",
    'checksum = "ab\\u0063"',
    'dependencies = [',
    ' "b 1.0.0 (registry+https://x)", # why',
    " 'c',",
    ']',
    '[[package]]',
    'name = "no-version"',
    '[metadata]',
    '"checksum x" = "y"',
    '[[package]]',
    'name = "unterminated"',
    'version = "1"',
    'dependencies = [ "x",',
  ].join('\n');
  assert.deepEqual(parseCargoLock(text), [
    { name: 'a-crate', version: '0.1.0', checksum: 'abc', dependencies: ['b 1.0.0 (registry+https://x)', 'c'] },
    { name: 'unterminated', version: '1', dependencies: ['x'] },
  ]);
});

test('hostile: a .dep-v0 zlib bomb, bad JSON and bad shapes are ScoutErrors naming the file', async () => {
  const bomb = makeExecutable('elf', '.dep-v0', () => deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)));
  const isAuditErr = (path: string) => (e: unknown) => e instanceof ScoutError && e.code === 'cargo-auditable-corrupt' && e.message.includes(path);
  assert.throws(() => readAuditableDeps(bomb, '/bin/bomb'), isAuditErr('/bin/bomb'));
  const notJson = makeExecutable('elf', '.dep-v0', () => deflateSync(Buffer.from('{"packages": [')));
  assert.throws(() => readAuditableDeps(notJson, '/bin/nj'), isAuditErr('/bin/nj'));
  assert.throws(() => readAuditableDeps(auditableBinary('elf', { packages: [{ name: 1 }] }), '/bin/shape'), isAuditErr('/bin/shape'));
  const garbage = makeExecutable('elf', '.dep-v0', () => Buffer.from('not zlib at all'));
  assert.throws(() => readAuditableDeps(garbage, '/bin/g'), isAuditErr('/bin/g'));
  // Out-of-range dependency indices are dropped, not followed.
  const odd = readAuditableDeps(auditableBinary('elf', { packages: [{ name: 'a', version: '1', dependencies: [5, -1, 0.5, 0] }] }));
  assert.deepEqual(odd?.[0].dependencies, [0]);

  const index = await indexFromMemory({ '/bin/bomb': bomb, '/bin/ok': auditableBinary('pe') }, rustCataloger.capture);
  assert.deepEqual(index.warnings.map((w) => [w.code, w.path]), [['cargo-auditable-corrupt', '/bin/bomb']]);
  assert.ok(index.analyses.get('/bin/ok'));
});
