import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runtimeCatalogers } from '../../../src/catalog/runtimes/index.js';
import { nodeVersionFromBinary } from '../../../src/catalog/runtimes/node.js';
import { parseRelease } from '../../../src/catalog/runtimes/openjdk.js';
import { CompiledCapture } from '../../../src/image/capture.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);

function elf(...strings: string[]): Buffer {
  return Buffer.concat([ELF, Buffer.alloc(4096), ...strings.flatMap((s) => [Buffer.from(s), Buffer.alloc(64)])]);
}

const NODE_HEADER = `#ifndef SRC_NODE_VERSION_H_
#define SRC_NODE_VERSION_H_

#define NODE_MAJOR_VERSION 20
#define NODE_MINOR_VERSION 11
#define NODE_PATCH_VERSION 1

#define NODE_VERSION_IS_LTS 1
`;

async function catalog(layers: Record<string, MemoryEntry>[]): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const spec = CompiledCapture.merge(runtimeCatalogers.map((c) => c.capture));
  const tree = await treeFromMemory(layers, spec);
  const warnings = new Warnings();
  const pkgs = runtimeCatalogers.flatMap((c) => c.catalog(tree, { warnings }));
  return { pkgs, warnings };
}

test('node: version from node_version.h, else from the binary; header trees without a binary are ignored', async () => {
  const { pkgs, warnings } = await catalog([
    {
      '/usr/local/bin/node': elf('https://nodejs.org/download/release/v20.11.1/node-v20.11.1-headers.tar.gz'),
      '/usr/local/include/node/node_version.h': NODE_HEADER,
      '/opt/node18/bin/node': elf('garbage node/vX', 'https://nodejs.org/download/release/v18.19.0/node-v18.19.0-headers.tar.gz'),
      '/root/.cache/node-gyp/16.0.0/include/node/node_version.h': NODE_HEADER.replace('20', '16'),
    },
  ]);
  assert.deepEqual(warnings.items, []);
  const nodes = pkgs.filter((p) => p.name === 'node').map((p) => [p.version, p.purl, p.locations.map((l) => l.path), p.licenses]);
  assert.deepEqual(nodes, [
    ['18.19.0', 'pkg:generic/node@18.19.0', ['/opt/node18/bin/node'], [{ spdx: 'MIT' }]],
    ['20.11.1', 'pkg:generic/node@20.11.1', ['/usr/local/bin/node', '/usr/local/include/node/node_version.h'], [{ spdx: 'MIT' }]],
  ]);
});

test('node binary scan: first marker followed by a version, bounded and exact', () => {
  assert.equal(nodeVersionFromBinary(elf('node/v22.3.0')), '22.3.0');
  assert.equal(nodeVersionFromBinary(elf('node/v1.2', 'node/v1.2.3.4', 'node.js/v21.7.1')), '21.7.1');
  assert.equal(nodeVersionFromBinary(elf('nothing here')), undefined);
});

test('node binary without a readable version: a warning, no package', async () => {
  const { pkgs, warnings } = await catalog([{ '/usr/local/bin/node': elf('no version') }]);
  // The analyzer found nothing, so there is no evidence of node at all: not even a warning.
  assert.deepEqual(pkgs, []);
  assert.deepEqual(warnings.items, []);
  const withHeader = await catalog([{ '/usr/local/bin/node': elf('no version'), '/usr/local/include/node/node_version.h': '#define NODE_MAJOR_VERSION x\n' }]);
  assert.deepEqual(withHeader.pkgs, []);
  assert.deepEqual(withHeader.warnings.items.map((w) => [w.code, w.path]), [['node-runtime-version', '/usr/local/bin/node']]);
});

test('python: PY_VERSION from patchlevel.h when the interpreter is there', async () => {
  const { pkgs } = await catalog([
    {
      '/usr/local/bin/python3.12': elf('Python'),
      '/usr/local/lib/python3.12/os.py': '',
      '/usr/local/include/python3.12/patchlevel.h': '#define PY_MAJOR_VERSION 3\n#define PY_VERSION "3.12.1"\n',
      // Headers copied somewhere without an interpreter beside them.
      '/opt/sdk/include/python3.11/patchlevel.h': '#define PY_VERSION "3.11.7"\n',
    },
  ]);
  assert.deepEqual(pkgs.map((p) => [p.name, p.version, p.purl, p.locations[0].path]), [['python', '3.12.1', 'pkg:generic/python@3.12.1', '/usr/local/bin/python3.12']]);
  assert.deepEqual(pkgs[0].licenses, [{ spdx: 'PSF-2.0' }]);
});

test('openjdk: JAVA_VERSION of the release file, with implementor and runtime version', async () => {
  const release = 'IMPLEMENTOR="Eclipse Adoptium"\nIMPLEMENTOR_VERSION="Temurin-17.0.10+7"\nJAVA_RUNTIME_VERSION="17.0.10+7"\nJAVA_VERSION="17.0.10"\nJAVA_VERSION_DATE="2024-01-16"\nIMAGE_TYPE="JRE"\n';
  const { pkgs, warnings } = await catalog([
    {
      '/opt/java/openjdk/release': release,
      '/usr/local/openjdk-11/release': 'JAVA_VERSION="11.0.16"\n',
      '/usr/lib/jvm/broken/release': 'JAVA_VERSION=\n',
    },
  ]);
  assert.deepEqual(pkgs.map((p) => [p.version, p.purl, p.locations[0].path]), [
    ['17.0.10', 'pkg:generic/openjdk@17.0.10', '/opt/java/openjdk/release'],
    ['11.0.16', 'pkg:generic/openjdk@11.0.16', '/usr/local/openjdk-11/release'],
  ]);
  assert.equal(pkgs[0].metadata?.implementor, 'Eclipse Adoptium');
  assert.equal(pkgs[0].metadata?.runtimeVersion, '17.0.10+7');
  assert.deepEqual(warnings.items.map((w) => [w.code, w.path]), [['openjdk-release-version', '/usr/lib/jvm/broken/release']]);
  assert.equal(parseRelease('A="x y"\nB=z\nnot a line\n').get('A'), 'x y');
});

test('go: stdlib with the go-prefixed version and the purl version without it', async () => {
  const { pkgs } = await catalog([{ '/usr/local/go/VERSION': 'go1.22.1\ntime 2024-02-29T18:18:48Z\n' }]);
  assert.deepEqual(pkgs.map((p) => [p.name, p.version, p.type, p.purl]), [['stdlib', 'go1.22.1', 'golang', 'pkg:golang/stdlib@1.22.1']]);
  const bad = await catalog([{ '/usr/local/go/VERSION': 'devel +abc\n' }]);
  assert.deepEqual(bad.pkgs, []);
  assert.equal(bad.warnings.items[0].code, 'go-version-file');
});

test('a runtime removed by a later layer is gone; a symlinked binary still counts', async () => {
  const removed = await catalog([{ '/usr/local/go/VERSION': 'go1.21.0\n' }, { '/usr/local/go': { whiteout: true } }]);
  assert.deepEqual(removed.pkgs, []);
  const linked = await catalog([
    { '/opt/node-v20/bin/node': elf('node/v20.1.0'), '/opt/node-v20/include/node/node_version.h': NODE_HEADER },
    { '/usr/local/bin/node': { symlink: '/opt/node-v20/bin/node' } },
  ]);
  assert.deepEqual(linked.pkgs.map((p) => [p.version, p.locations[0].path]), [['20.11.1', '/opt/node-v20/bin/node']]);
});
