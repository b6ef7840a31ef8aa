import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dotnetCataloger } from '../../../src/catalog/dotnet/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/dotnet/', import.meta.url));

interface Expected {
  id: string;
  name: string;
  version: string;
  relationship?: string;
}

/**
 * Trivy's relationships in our terms: root and direct are the same words, indirect is
 * 'transitive', and a workspace member (a project of the solution other than the root) has no
 * relationship in our model, only metadata.workspace.
 */
function assertRelationship(exp: Expected, got: Package): void {
  if (exp.relationship === undefined) return;
  if (exp.relationship === 'workspace') {
    assert.equal(got.relationship, undefined, `${exp.id} relationship`);
    assert.equal(got.metadata?.workspace, true, `${exp.id} workspace`);
    return;
  }
  const ours = { root: 'root', direct: 'direct', indirect: 'transitive' }[exp.relationship];
  assert.ok(ours, `unmapped relationship ${exp.relationship}`);
  assert.equal(got.relationship, ours, `${exp.id} relationship`);
}

for (const caseName of readdirSync(FIXTURES).sort()) {
  test(`dotnet conformance: ${caseName}`, async () => {
    const c = JSON.parse(readFileSync(FIXTURES + caseName + '/expected.json', 'utf8')) as {
      packageCount: number;
      packages: Expected[];
      dependencies: { id: string; dependsOn: string[] }[];
    };
    const warnings = new Warnings();
    const tree = await treeFromDirectory(FIXTURES + caseName, dotnetCataloger.capture);
    const pkgs = dotnetCataloger.catalog(tree, { warnings });
    assert.deepEqual(warnings.items, []);
    assert.equal(pkgs.length, c.packageCount, pkgs.map((p) => `${p.name}/${p.version}`).join(', '));
    const idOf = (p: Package) => `${p.name}/${p.version}`;
    const byOurId = new Map(pkgs.map((p) => [p.id, p]));
    for (const exp of c.packages) {
      const known = new Set(['id', 'name', 'version', 'relationship']);
      for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
      const got = pkgs.find((p) => idOf(p) === exp.id);
      assert.ok(got, `${exp.id} not found`);
      assert.equal(got.name, exp.name);
      assert.equal(got.version, exp.version);
      assert.equal(got.purl, `pkg:nuget/${exp.name}@${exp.version}`);
      assertRelationship(exp, got);
    }
    // The dependency graph, exactly: every edge stated and no other.
    const edges = pkgs
      .filter((p) => p.dependsOn?.length)
      .map((p) => ({ id: idOf(p), dependsOn: p.dependsOn!.map((d) => idOf(byOurId.get(d)!)).sort() }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const expected = c.dependencies.map((d) => ({ id: d.id, dependsOn: [...d.dependsOn].sort() })).sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(edges, expected);
  });
}
