import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO, importedCache } from '../report/helpers.js';

// Every layer of the demo image holds more than one entry, so with a cap of one entry every
// layer stops with `too-many-entries` (a code the commands used not to count as a failure),
// its first entry read. With a cap of one byte, no layer gives anything.
const cache = importedCache();
const env = { SCOUT_CACHE_DIR: cache, SCOUT_MAX_LAYER_ENTRIES: '1' };
const none = { SCOUT_CACHE_DIR: cache, SCOUT_MAX_LAYER_BYTES: '1' };

test('a layer over a cap makes every image command exit 3, through the one shared rule', () => {
  for (const args of [['image', 'inspect', DEMO], ['sbom', DEMO], ['quickview', DEMO], ['explain', 'CVE-2023-4911', DEMO], ['cves', DEMO]]) {
    const r = scout([...args, '--no-cache'], env);
    assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /more than 1 entries \(SCOUT_MAX_LAYER_ENTRIES\)/, args[0]);
  }
});

test('cves --exit-code on an image whose layers failed neither gives the all-clear nor exits 0', () => {
  const r = scout(['cves', DEMO, '--exit-code', '--no-cache'], none);
  assert.equal(r.code, 3, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1)!;
  assert.notEqual(last, 'No vulnerabilities found');
  assert.match(last, /incomplete: 3 layers could not be read \(layer 0 /);
  const q = scout(['quickview', DEMO, '--no-cache'], none);
  assert.match(q.stdout, /^Incomplete: 3 layers could not be read/m);
});

test('cves --exit-code on layers read only up to a cap: the vulnerabilities of what was read fail the gate (2), the summary names every partly read layer', () => {
  const r = scout(['cves', DEMO, '--exit-code', '--no-cache'], env);
  assert.equal(r.code, 2, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1)!;
  assert.match(last, /^\d+ vulnerabilit/);
  assert.equal(last.match(/partly read: stopped at the member after \/[^:]+: more than 1 entries \(SCOUT_MAX_LAYER_ENTRIES\)/g)?.length, 3, last);
});

test('an SBOM of an incomplete scan says so when read back: cves on it exits 3', () => {
  const out = join(tempDir(), 'partial.json');
  assert.equal(scout(['sbom', DEMO, '--no-cache', '--format', 'json', '-o', out], none).code, 3);
  const sbom = JSON.parse(readFileSync(out, 'utf8')) as { warnings: { code: string; layerFailed?: boolean }[] };
  assert.ok(sbom.warnings.some((w) => w.code === 'layer-too-large' && w.layerFailed === true), JSON.stringify(sbom.warnings));
  const r = scout(['cves', `sbom://${out}`, '--exit-code'], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /No vulnerabilities found in the layers that could be read; incomplete/);
});
