import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goBinaryCataloger } from '../../../src/catalog/golang/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = 'test/fixtures/catalogers/golang';

interface Expected {
  packageCount: number;
  packages: { id: string; name: string; version: string; relationship?: string }[];
  dependencies?: { id: string; dependsOn: string[] }[];
}

/** The peer's id: name@version, or the bare name when the version is empty. */
const peerId = (p: Package) => (p.version ? `${p.name}@${p.version}` : p.name);

for (const name of readdirSync(FIXTURES).sort()) {
  test(`conformance: golang/${name}`, async () => {
    const dir = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const tree = await treeFromDirectory(dir, goBinaryCataloger.capture);
    const warnings = new Warnings();
    const pkgs = goBinaryCataloger.catalog(tree, { warnings });
    assert.deepEqual(warnings.items, []);
    assert.equal(pkgs.length, expected.packageCount);
    const byPeerId = new Map(pkgs.map((p) => [peerId(p), p]));
    assert.equal(byPeerId.size, pkgs.length, 'no duplicates');
    for (const want of expected.packages) {
      const got = byPeerId.get(want.id);
      assert.ok(got, `package ${want.id} found`);
      const projected: Record<string, unknown> = { id: peerId(got), name: got.name, version: got.version };
      if (want.relationship) projected.relationship = got.relationship;
      assert.deepEqual(projected, want);
      assert.equal(got.type, 'golang');
    }
    const idToPeer = new Map(pkgs.map((p) => [p.id, peerId(p)]));
    for (const edge of expected.dependencies ?? []) {
      const from = byPeerId.get(edge.id)!;
      assert.deepEqual((from.dependsOn ?? []).map((id) => idToPeer.get(id)).sort(), [...edge.dependsOn].sort());
    }
  });
}
