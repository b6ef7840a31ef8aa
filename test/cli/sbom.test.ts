import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const DEMO = new URL('../../examples/demo-image.tar', import.meta.url).pathname;

test('scout sbom lists the demo image packages with their layer and evidence path', () => {
  const r = scout(['sbom', DEMO], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^lodash\s+4\.17\.15\s+npm\s+2\s+\/app\/package-lock\.json$/m);
  assert.match(r.stdout, /^libc6\s+2\.36-9\+deb12u1\s+deb\s+0\s+\/var\/lib\/dpkg\/status$/m);
  assert.match(r.stdout, /^requests\s+2\.31\.0\s+pypi\s+1\s+/m);
});

function byId(packages: { id: string }[]) {
  return [...packages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

test('export to CycloneDX and SPDX, read back through sbom://, gives the same packages', () => {
  const cache = tempDir();
  const dir = tempDir();
  const json = scout(['sbom', DEMO, '--format', 'json'], { SCOUT_CACHE_DIR: cache });
  assert.equal(json.code, 0, json.stderr);
  const original = JSON.parse(json.stdout);
  assert.equal(original.packageCount, original.packages.length);
  const key = (p: { purl: string; locations: { path: string }[] }) => `${p.purl} ${p.locations.map((l) => l.path).join(',')}`;
  for (const fmt of ['cyclonedx', 'spdx']) {
    const file = join(dir, `demo.${fmt}.json`);
    assert.equal(scout(['sbom', DEMO, '--format', fmt, '-o', file], { SCOUT_CACHE_DIR: cache }).code, 0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(fmt === 'cyclonedx' ? doc.bomFormat === 'CycloneDX' && doc.specVersion === '1.6' : doc.spdxVersion === 'SPDX-2.3');
    const back = scout(['sbom', `sbom://${file}`, '--format', 'json']);
    assert.equal(back.code, 0, back.stderr);
    const read = JSON.parse(back.stdout);
    assert.deepEqual(read.packages.map(key).sort(), original.packages.map(key).sort(), fmt);
    // Every field of every package, dependency links included, comes back as it was written.
    assert.deepEqual(byId(read.packages), byId(original.packages), `${fmt}: every package field`);
    const lodash = read.packages.find((p: { name: string }) => p.name === 'lodash');
    assert.equal(lodash.introducedLayer.diffId, original.packages.find((p: { name: string }) => p.name === 'lodash').introducedLayer.diffId, `${fmt} keeps the layer`);
  }
  const stdin = scout(['sbom', 'sbom://-', '--format', 'list'], {}, json.stdout);
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.match(stdin.stdout, /25 packages/);
  const bare = scout(['sbom', '-', '--format', 'json'], {}, json.stdout);
  assert.equal(bare.code, 0, bare.stderr);
  assert.deepEqual(byId(JSON.parse(bare.stdout).packages), byId(original.packages), 'a bare - reads standard input too');
});

test('a file that is not an SBOM gives one clear error', () => {
  const dir = tempDir();
  const bad = join(dir, 'x.json');
  writeFileSync(bad, '{"hello": 1}');
  const r = scout(['sbom', `sbom://${bad}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*x\.json: .*not a recognised SBOM/);
});
