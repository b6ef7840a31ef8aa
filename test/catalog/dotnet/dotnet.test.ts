import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dotnetCataloger } from '../../../src/catalog/dotnet/index.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

async function catalog(files: Record<string, MemoryEntry>): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const tree = await treeFromMemory([files], dotnetCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: dotnetCataloger.catalog(tree, { warnings }), warnings };
}

const app = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'App/1.0.0': { dependencies: { Serilog: '3.1.1' }, runtime: { 'App.dll': {} } },
      'Serilog/3.1.1': { runtime: { 'lib/net7.0/Serilog.dll': {} } },
    },
  },
  libraries: {
    'App/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Serilog/3.1.1': { type: 'package', serviceable: true, sha512: 'sha512-abc', path: 'serilog/3.1.1', hashPath: 'serilog.3.1.1.nupkg.sha512' },
    'Reference.Only/1.0.0': { type: 'referenceassembly' },
  },
};

test('nuget purls, hashes and the deps.json location', async () => {
  const { pkgs, warnings } = await catalog({ '/app/App.deps.json': JSON.stringify(app) });
  assert.deepEqual(warnings.items, []);
  const serilog = pkgs.find((p) => p.name === 'Serilog')!;
  assert.equal(serilog.purl, 'pkg:nuget/Serilog@3.1.1');
  assert.equal(serilog.metadata?.sha512, 'sha512-abc');
  assert.equal(serilog.metadata?.libraryType, 'package');
  assert.equal(serilog.relationship, 'direct');
  assert.deepEqual(serilog.locations, [{ path: '/app/App.deps.json' }]);
  assert.deepEqual(pkgs.map((p) => p.name).sort(), ['App', 'Serilog']);
});

test('broken deps.json files are reported, never thrown', async () => {
  const { pkgs, warnings } = await catalog({
    '/a/x.deps.json': '{',
    '/b/x.deps.json': '[]',
    '/c/x.deps.json': JSON.stringify({ runtimeTarget: { name: 5 }, targets: 'no', libraries: { 'noversion': { type: 'package' }, 'Ok/1.0': { type: 'package' }, 'Null/1.0': null } }),
  });
  assert.deepEqual(pkgs.map((p) => p.purl), ['pkg:nuget/Ok@1.0']);
  assert.deepEqual(warnings.items.map((w) => [w.code, w.path]), [
    ['dotnet-invalid-json', '/a/x.deps.json'],
    ['dotnet-no-libraries', '/b/x.deps.json'],
    ['dotnet-bad-library', '/c/x.deps.json'],
  ]);
});
