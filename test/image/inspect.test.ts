import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INSPECT_CAPTURE, imageMetadata } from '../../src/image/inspect.js';
import { openImage } from '../../src/image/open.js';
import { registryType } from '../../src/image/registry-type.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

test('metadata carries every promised field, straight from config, manifest and os-release', async () => {
  const im = await buildImage({
    created: '2024-02-03T04:05:06Z',
    architecture: 'arm64',
    variant: 'v8',
    layers: [{ 'usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n', 'etc/os-release': { symlink: '../usr/lib/os-release' } }, { 'app/x': 'x'.repeat(1000) }],
    env: ['PATH=/bin', 'JAVA_OPTS=-Da=b -Dc=d', 'EMPTY='],
    labels: { maintainer: 'team@example.com', 'org.opencontainers.image.version': '2.1' },
    exposedPorts: ['443/tcp', '53/udp'],
    user: '1000:1000',
    workingDir: '/srv',
    entrypoint: ['/entry.sh'],
    cmd: ['serve'],
    emptyHistoryBefore: { 1: 'ENV JAVA_OPTS=-Da=b -Dc=d' },
  });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const img = await openImage(dir, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  const scan = await scanImage(img, INSPECT_CAPTURE, { cache: false });
  const m = imageMetadata(img, scan, treeOf(scan));
  assert.equal(m.created, '2024-02-03T04:05:06Z');
  assert.equal(m.digest, im.manifestDigest);
  assert.equal(m.configDigest, im.configDigest);
  assert.deepEqual(m.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(m.os, { type: 'linux', name: 'ubuntu', version: '22.04', prettyName: 'Ubuntu 22.04.4 LTS' });
  assert.deepEqual(m.exposedPorts, ['443/tcp', '53/udp']);
  assert.deepEqual(m.env, [
    { name: 'PATH', value: '/bin' },
    { name: 'JAVA_OPTS', value: '-Da=b -Dc=d' },
    { name: 'EMPTY', value: '' },
  ]);
  assert.deepEqual(m.labels, { maintainer: 'team@example.com', 'org.opencontainers.image.version': '2.1' });
  assert.equal(m.user, '1000:1000');
  assert.equal(m.workingDir, '/srv');
  assert.deepEqual(m.entrypoint, ['/entry.sh']);
  assert.deepEqual(m.cmd, ['serve']);
  assert.deepEqual(m.layers.map((l) => [l.index, l.digest, l.diffId, l.size]), im.layers.map((l, i) => [i, l.digest, l.diffId, l.blob.length]));
  assert.equal(m.layers[1].uncompressedSize, 1000);
  assert.equal(m.layers[1].createdBy, '/bin/sh -c #(nop) layer 1', 'empty history entries do not shift layer attribution');
  assert.deepEqual(m.history.map((h) => [h.emptyLayer, h.layerIndex]), [[false, 0], [true, undefined], [false, 1]]);
  assert.equal(m.size.compressed, im.layers.reduce((s, l) => s + l.blob.length, 0));
  assert.equal(m.registry, undefined, 'a layout names no registry');
});

test('registry types by host pattern', () => {
  const cases: [string, string][] = [
    ['docker.io', 'dockerhub'],
    ['ghcr.io', 'ghcr'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ecr'],
    ['public.ecr.aws', 'ecr'],
    ['gcr.io', 'gcr'],
    ['eu.gcr.io', 'gcr'],
    ['europe-west1-docker.pkg.dev', 'artifact-registry'],
    ['myreg.azurecr.io', 'acr'],
    ['quay.io', 'quay'],
    ['registry.gitlab.com', 'gitlab'],
    ['harbor.example.com', 'harbor'],
    ['localhost:5000', 'local'],
    ['registry.example.com', 'other'],
  ];
  for (const [host, type] of cases) assert.equal(registryType(host), type, host);
});
