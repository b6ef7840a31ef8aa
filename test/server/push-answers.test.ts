// A push takes its packages' findings from the per-purl answers local analysis remembers
// (src/server/push-answers.ts), one memory for both routes. Proven here on each backend, with
// real requests over HTTP: a push takes what local analysis remembered; a second image sharing the packages stores the
// same findings as a push into an organisation matched without any memory; an advisory imported
// before a third push is among that push's findings (the import drops the memory), which again
// equal the ones matched without it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../src/sbom/model.js';
import { ingestSbom } from '../../src/server/ingest.js';
import { npmAdvisory } from '../helpers/osv-record.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, storedFindings, testApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

/** The demo SBOM as another image: its own digest, the same packages. */
function imageNumber(sbom: Sbom, n: number): Sbom {
  return { ...sbom, image: { ...sbom.image!, digest: `sha256:${n.toString(16).padStart(64, '0')}` } };
}

for (const backend of BACKENDS) {
  describe(`push match answers on ${backend}`, () => {
    test('pushes of images sharing packages store what an unremembered match stores; an import in between is seen', async (t) => {
      const api = await testApi(backend, t);
      const demo = await demoImageSbom();
      const acmeId = (await api.platform.ensureOrg('acme')).id;
      const push = async (sbom: Sbom) => {
        const r = await api.call({ method: 'POST', url: '/v1/images', route: 'POST /v1/images', token: api.admin, payload: gzipJson(JSON.parse(writeScoutJson(sbom))), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
        assert.equal(r.status, 201);
      };
      // The same image matched by ingestSbom with no memory at all, in an organisation of its own.
      const unremembered = async (sbom: Sbom) => {
        await ingestSbom(api.platform.forOrg(await api.platform.ensureOrg('plain')), api.advisories, sbom);
        return storedFindings(api, 'plain', sbom.image!.digest);
      };

      // Local analysis of the image's purls first: the first push takes those answers (one memory).
      const asked = await api.call({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: { purls: demo.packages.map((p) => p.purl), layerDigests: [] } });
      assert.equal(asked.status, 200);
      const remembered = api.app.purlAnswers.ofOrg(acmeId);
      assert.ok(remembered && remembered.size > 0, 'local analysis remembered the purls\' answers');
      const first = imageNumber(demo, 1);
      await push(first);
      assert.ok([...remembered.values()].some((a) => a.pushedAs !== undefined), 'the push took answers local analysis remembered');
      const firstFindings = await storedFindings(api, 'acme', first.image!.digest);
      assert.ok(firstFindings.length > 0, 'the demo image has findings');
      assert.deepEqual(firstFindings, await unremembered(first));

      const second = imageNumber(demo, 2);
      await push(second);
      const secondFindings = await storedFindings(api, 'acme', second.image!.digest);
      assert.deepEqual(secondFindings, firstFindings, 'answered from memory: the same findings');
      assert.deepEqual(secondFindings, await unremembered(second));

      // A new advisory for an npm package of the image that has no finding yet, and remembered.
      const npm = demo.packages.find((p) => p.type === 'npm' && remembered.has(p.purl) && !firstFindings.some((f) => f.purl === p.purl));
      assert.ok(npm, 'a remembered npm package of the demo without findings');
      await api.advisories.importBatch({ kind: 'advisories', source: { name: 'test-feed', kind: 'advisories' }, mode: 'merge', records: [await npmAdvisory('GHSA-push-test-test', npm.name, '99.0.0', 'imported between two pushes')] });

      const third = imageNumber(demo, 3);
      await push(third);
      const thirdFindings = await storedFindings(api, 'acme', third.image!.digest);
      assert.deepEqual(thirdFindings.filter((f) => f.purl === npm.purl).map((f) => f.vulnerabilityId), ['GHSA-push-test-test'], 'the imported advisory is matched');
      assert.equal(thirdFindings.length, firstFindings.length + 1);
      assert.deepEqual(thirdFindings, await unremembered(third));
      assert.deepEqual(api.app.purlAnswers.get(acmeId, npm.purl)?.findings.map((f) => f.id), ['GHSA-push-test-test'], 'remembered afresh after the import');
    });
  });
}
