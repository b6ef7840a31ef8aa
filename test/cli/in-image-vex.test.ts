import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { importedCache, keyOf, type CvesJson } from '../report/helpers.js';

test('a *.vex.json shipped inside the image applies like --vex-location', async () => {
  const cache = importedCache();
  const lodash = { 'app/package.json': '{"name":"app","version":"1.0.0","dependencies":{"lodash":"4.17.15"}}', 'app/node_modules/lodash/package.json': '{"name":"lodash","version":"4.17.15","license":"MIT"}' };
  const plain = await buildImage({ layers: [lodash] });
  const plainDir = tempDir();
  writeOciLayout(plainDir, [{ images: [plain] }]);
  const before = JSON.parse(scout(['cves', plainDir, '--format', 'json'], { SCOUT_CACHE_DIR: cache }).stdout) as CvesJson;
  const target = before.findings.find((f) => f.package.name === 'lodash');
  assert.ok(target, 'the bundle has lodash 4.17.15 advisories');
  const vex = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.test/vex/in-image',
    author: 'App team',
    timestamp: '2025-01-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: target.id }, products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' }],
  };
  const withVex = await buildImage({ layers: [{ ...lodash, 'app/security/app.vex.json': JSON.stringify(vex) }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [withVex] }]);
  const r = scout(['cves', dir, '--format', 'json'], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  const after = JSON.parse(r.stdout) as CvesJson;
  assert.deepEqual(after.findings.map(keyOf).sort(), before.findings.map(keyOf).sort(), 'suppressed findings are still listed');
  const suppressed = after.findings.filter((f) => f.suppressed);
  assert.deepEqual(suppressed.map(keyOf), [keyOf(target)]);
  assert.equal(suppressed[0].suppressed!.justification, 'inline_mitigations_already_exist');
  const hidden = JSON.parse(scout(['cves', dir, '--format', 'json', '--only-vex-affected'], { SCOUT_CACHE_DIR: cache }).stdout) as CvesJson;
  assert.ok(!hidden.findings.some((f) => keyOf(f) === keyOf(target)));
});
