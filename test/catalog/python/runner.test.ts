import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composerCataloger } from '../../../src/catalog/composer/index.js';
import { dotnetCataloger } from '../../../src/catalog/dotnet/index.js';
import { gemCataloger } from '../../../src/catalog/gem/index.js';
import { pythonCataloger } from '../../../src/catalog/python/index.js';
import { catalogTree } from '../../../src/catalog/run.js';
import { captureFor } from '../../../src/catalog/selection.js';
import { treeFromMemory } from '../../../src/image/layer/memory-index.js';

test('through the catalog runner, dependency links of every language cataloger point at real package ids', async () => {
  const catalogers = [pythonCataloger, gemCataloger, composerCataloger, dotnetCataloger];
  const tree = await treeFromMemory([{
    '/sp/a-1.dist-info/METADATA': 'Name: a\nVersion: 1\nRequires-Dist: b\n',
    '/sp/b-2.dist-info/METADATA': 'Name: b\nVersion: 2\n',
    '/g/specifications/x-1.gemspec': 'Gem::Specification.new do |s|\n s.name = "x"\n s.version = "1"\n s.add_dependency "y"\nend\n',
    '/g/specifications/y-1.gemspec': 'Gem::Specification.new do |s|\n s.name = "y"\n s.version = "1"\nend\n',
    '/php/composer.lock': JSON.stringify({ packages: [{ name: 'v/p', version: '1', require: { 'v/q': '*' } }, { name: 'v/q', version: '1' }] }),
    '/app/A.deps.json': JSON.stringify({ runtimeTarget: { name: 't' }, targets: { t: { 'A/1': { dependencies: { N: '2' }, runtime: { 'A.dll': {} } }, 'N/2': { runtime: { 'N.dll': {} } } } }, libraries: { 'A/1': { type: 'project' }, 'N/2': { type: 'package' } } }),
  }], captureFor(catalogers));
  const { packages, warnings } = catalogTree(tree, catalogers);
  assert.deepEqual(warnings, []);
  const byId = new Map(packages.map((p) => [p.id, p]));
  const edges = packages.flatMap((p) => (p.dependsOn ?? []).map((d) => `${p.purl} -> ${byId.get(d)?.purl}`)).sort();
  assert.deepEqual(edges, [
    'pkg:composer/v/p@1 -> pkg:composer/v/q@1',
    'pkg:gem/x@1 -> pkg:gem/y@1',
    'pkg:nuget/A@1 -> pkg:nuget/N@2',
    'pkg:pypi/a@1 -> pkg:pypi/b@2',
  ]);
  for (const p of packages) for (const d of p.dependencyOf ?? []) assert.ok(byId.has(d), `${p.purl} dependencyOf ${d}`);
});
