import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rustCataloger } from '../../../src/catalog/rust/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = 'test/fixtures/catalogers/cargo';

interface ExpectedPackage {
  id?: string;
  name: string;
  version: string;
  purl?: string;
  type?: string;
  licenses?: string[];
  metadata?: { Name: string; Version: string; Source?: string; Checksum?: string; Dependencies?: string[] };
}

interface Expected {
  packageCount: number;
  packages: ExpectedPackage[];
  dependencies?: { id: string; dependsOn: string[] }[];
}

/** Our package in the peer's terms, limited to the fields the peer states. */
function project(p: Package, want: ExpectedPackage): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, version: p.version };
  if (want.id !== undefined) out.id = `${p.name}@${p.version}`;
  if (want.purl !== undefined) out.purl = p.purl;
  // Syft calls the type RustPkg; ours is the purl type.
  if (want.type !== undefined) out.type = p.type === 'cargo' ? 'RustPkg' : p.type;
  if (want.licenses !== undefined) out.licenses = p.licenses.map((l) => l.spdx ?? l.name);
  if (want.metadata !== undefined) {
    const m = p.metadata ?? {};
    out.metadata = { Name: p.name, Version: p.version, Source: m.source, Checksum: m.checksum, Dependencies: m.dependencies };
  }
  return out;
}

for (const name of readdirSync(FIXTURES).sort()) {
  test(`conformance: cargo/${name}`, async () => {
    const dir = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const tree = await treeFromDirectory(dir, rustCataloger.capture);
    const warnings = new Warnings();
    const pkgs = rustCataloger.catalog(tree, { warnings });
    assert.deepEqual(warnings.items, []);
    assert.equal(pkgs.length, expected.packageCount);
    const key = (x: { name: string; version: string }) => `${x.name}@${x.version}`;
    const byKey = new Map(pkgs.map((p) => [key(p), p]));
    assert.equal(byKey.size, pkgs.length, 'no duplicates');
    for (const want of expected.packages) {
      const got = byKey.get(key(want));
      assert.ok(got, `package ${key(want)} found`);
      assert.deepEqual(project(got, want), want);
    }
    const idToKey = new Map(pkgs.map((p) => [p.id, key(p)]));
    for (const edge of expected.dependencies ?? []) {
      const from = byKey.get(edge.id)!;
      assert.deepEqual((from.dependsOn ?? []).map((id) => idToKey.get(id)).sort(), [...edge.dependsOn].sort());
    }
  });
}
