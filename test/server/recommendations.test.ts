import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderRecommendations } from '../../src/cli/commands/recommendations.js';
import type { Recommendations } from '../../src/platform/recommendations.js';
import type { SeverityLevel } from '../../src/match/severity.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { findingOf, layerDiffIds, packageOf, uploadOf } from '../helpers/platform-upload.js';
import type { ImageUpload } from '../../src/store/platform-store.js';

/** An upload with its own creation time, size, OS and findings ([severity, fixed version or none]). */
function image(layers: string[], repository: string, tags: string[], o: { created: string; size: number; os: [string, string]; findings: [SeverityLevel, string?][] }): ImageUpload {
  const u = uploadOf({ layers, repository, tags, purls: ['pkg:npm/left-pad@1.0.0'] });
  const pkg = packageOf('pkg:npm/left-pad@1.0.0');
  return {
    ...u,
    metadata: { ...u.metadata, created: o.created, size: { compressed: o.size, uncompressed: o.size * 3 }, os: { type: 'linux', name: o.os[0], version: o.os[1] } },
    findings: o.findings.map(([level, fixed], i) => findingOf(pkg, `CVE-2024-${1000 + i}`, level, fixed)),
  };
}

for (const backend of BACKENDS) {
  describe(`base image recommendations on ${backend}`, () => {
    test('three levels (distro, runtime, application): other runtime tags ranked with reasons; an unknown base has none', async (t) => {
      const api = await testApi(backend, t);
      const catalog = api.platform.forOrg(await api.platform.ensureOrg('public-catalog', { catalog: true }));
      const MB = 1_000_000;
      await catalog.putImage(image(['debian'], 'library/debian', ['12'], { created: '2024-01-01T00:00:00Z', size: 30 * MB, os: ['debian', '12'], findings: [] }));
      await catalog.putImage(image(['debian', 'node20'], 'library/node', ['20-bookworm'], { created: '2024-03-01T00:00:00Z', size: 50 * MB, os: ['debian', '12'], findings: [['critical', '1.0.1'], ['high', '1.0.1'], ['high', '1.0.2'], ['medium', '1.0.1']] }));
      // One digest, two tags; its critical has no fix, so it does not count.
      await catalog.putImage(image(['debian', 'node22'], 'library/node', ['22-bookworm', '22'], { created: '2024-09-01T00:00:00Z', size: 52 * MB, os: ['debian', '12'], findings: [['high', '1.0.1'], ['critical']] }));
      await catalog.putImage(image(['alpine', 'node20-alpine'], 'library/node', ['20-alpine'], { created: '2024-03-01T00:00:00Z', size: 20 * MB, os: ['alpine', '3.20'], findings: [] }));
      await catalog.putImage(image(['debian', 'node18'], 'library/node', ['18-bookworm'], { created: '2023-06-01T00:00:00Z', size: 49 * MB, os: ['debian', '12'], findings: [['high', '1'], ['high', '2'], ['high', '3'], ['high', '4']] }));
      // The application, in acme's own images, on node:20-bookworm.
      const app = uploadOf({ layers: ['debian', 'node20', 'app'], repository: 'acme/web', tags: ['1.0'] });
      await api.platform.forOrg((await api.platform.orgByName('acme'))!).putImage(app);

      const r = await api.call<Recommendations>({ method: 'POST', url: '/v1/recommendations', route: 'POST /v1/recommendations', token: api.admin, payload: { layerDigests: layerDiffIds(['debian', 'node20', 'app']) } });
      assert.equal(r.status, 200);
      assert.equal(r.body.base?.repository, 'library/node');
      assert.deepEqual(r.body.base?.tags, ['20-bookworm']);
      assert.equal(r.body.base?.layers, 2);
      assert.equal(r.body.base?.catalog, true);
      assert.deepEqual(r.body.base?.current.fixable, { critical: 1, high: 2 });
      // Fewest fixable critical/high first (alpine's 0 beats the same family's 1), then 18 with 4.
      assert.deepEqual(r.body.recommendations.map((c) => c.tags), [['20-alpine'], ['22', '22-bookworm'], ['18-bookworm']]);
      assert.deepEqual(r.body.recommendations.map((c) => c.better), [true, true, false]);
      const [alpine, node22, node18] = r.body.recommendations;
      assert.deepEqual(alpine.fixable, { critical: 0, high: 0 });
      assert.deepEqual(node22.fixable, { critical: 0, high: 1 });
      assert.deepEqual(node22.reasons, [
        '2 fewer fixable critical/high vulnerabilities (0 critical, 1 high; now 1 critical, 2 high)',
        'same OS family (debian 12)',
        'newer (created 2024-09-01; now 2024-03-01)',
        'larger by 2.0 MB (52.0 MB)',
      ]);
      assert.ok(alpine.reasons.includes('different OS family (alpine 3.20; now debian 12)'));
      assert.ok(alpine.reasons.includes('smaller by 30.0 MB (20.0 MB)'));
      assert.ok(node18.reasons.includes('1 more fixable critical/high vulnerabilities (0 critical, 4 high; now 1 critical, 2 high)'));
      assert.ok(node18.reasons.includes('older (created 2023-06-01; now 2024-03-01)'));
      const text = renderRecommendations(r.body, 'acme/web:1.0');
      assert.match(text, /base image: library\/node:20-bookworm \(2 layers, public catalogue\): 1 critical and 2 high fixable/);
      assert.match(text, /1\. library\/node:20-alpine {2}\(recommended\)\n {7}- 3 fewer fixable/);

      // The runtime image itself: its base is the distro, whose repository has no other tag.
      const runtime = await api.call<Recommendations>({ method: 'POST', url: '/v1/recommendations', route: 'POST /v1/recommendations', token: api.admin, payload: { layerDigests: layerDiffIds(['debian', 'node22']) } });
      assert.equal(runtime.body.base?.repository, 'library/debian');
      assert.deepEqual(runtime.body.recommendations, []);

      const unknown = await api.call<Recommendations>({ method: 'POST', url: '/v1/recommendations', route: 'POST /v1/recommendations', token: api.admin, payload: { layerDigests: layerDiffIds(['scratch-thing', 'app']) } });
      assert.equal(unknown.status, 200);
      assert.equal(unknown.body.base, undefined);
      assert.deepEqual(unknown.body.recommendations, []);
      assert.match(renderRecommendations(unknown.body, 'x'), /no base image known/);
    });
  });
}
