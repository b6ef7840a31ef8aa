// Server-side analysis (the analyze-image job, POST /v1/images/analyze) takes its packages'
// findings from the per-purl answers local analysis and pushes remember (purl-answers.ts), one
// memory in the server process. Proven here on each backend with a real docker-registry on
// loopback and the job running in this process: the job adds to the memory; a second image
// sharing the packages stores the same findings as the same image analysed into an organisation
// with no memory at all; an advisory imported before a third analysis is among its findings
// (the import drops the memory), which again equal the ones matched without it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeRegistries } from '../../src/server/analyze-registries.js';
import { ingestPush } from '../../src/server/ingest.js';
import { imageFacts } from '../../src/platform/image-facts.js';
import { pushBody } from '../../src/platform/push-body.js';
import { parsePlatform } from '../../src/image/manifest.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { npmAdvisory } from '../helpers/osv-record.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { storedFindings, testApi } from '../helpers/platform-app.js';
import { startRegistry } from '../helpers/registry-server.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Debian's libssl3 (its source package recorded: matched afresh every time), express 4.17.1 (npm
 * advisories in examples/: answered by its purl) and left-pad (no advisory yet); `n` makes the digest.
 */
function sharedPackagesImage(n: number) {
  return buildImage({
    architecture: 'arm64',
    layers: [
      {
        'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
        'var/lib/dpkg/status': 'Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\nArchitecture: arm64\n\n',
      },
      {
        'app/node_modules/express/package.json': JSON.stringify({ name: 'express', version: '4.17.1', license: 'MIT' }),
        'app/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
      },
    ],
    labels: { n: String(n) },
  });
}

for (const backend of BACKENDS) {
  describe(`analyze-image match answers on ${backend}`, () => {
    test('analyses of images sharing packages store what an unremembered match stores; an import in between is seen', async (t) => {
      const reg = await startRegistry();
      t.after(() => reg.stop());
      const allowed = analyzeRegistries([reg.host], {});
      const api = await testApi(backend, t, { jobs: { analyzeRegistries: allowed } });
      const acmeId = (await api.platform.ensureOrg('acme')).id;

      /** Image `n` in the registry, analysed by the server's job for acme: its digest. */
      const analyse = async (n: number): Promise<{ digest: string; ref: string }> => {
        const img = await sharedPackagesImage(n);
        const dir = tempDir();
        writeOciLayout(dir, [{ images: [img], refName: 'x' }]);
        reg.push(dir, 'x', `scout/shared:${n}`);
        const ref = `${reg.host}/scout/shared:${n}`;
        const queued = await api.call<{ id: string }>({ method: 'POST', url: '/v1/images/analyze', route: 'POST /v1/images/analyze', token: api.admin, payload: { reference: ref, platform: 'linux/arm64' } });
        assert.equal(queued.status, 202);
        // Bounded wait for the job, never timed.
        for (let i = 0; i < 1200; i++) {
          const job = await api.call<{ state: string; error?: string; result?: { digest: string } }>({ method: 'GET', url: `/v1/jobs/${queued.body.id}`, route: 'GET /v1/jobs/:id', token: api.admin });
          if (job.body.state === 'done' || job.body.state === 'failed') {
            assert.equal(job.body.state, 'done', job.body.error);
            assert.equal(job.body.result?.digest, img.manifestDigest);
            return { digest: img.manifestDigest, ref };
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.fail(`analysis of ${ref} did not finish`);
      };
      // The same image analysed as the job does (imageFacts, pushBody, ingestPush) with no memory at all, in an organisation of its own.
      const unremembered = async (ref: string, digest: string) => {
        const facts = await imageFacts(`registry://${ref}`, { platform: parsePlatform('linux/arm64') }, {}, { secrets: false });
        await ingestPush(api.platform.forOrg(await api.platform.ensureOrg('plain')), api.advisories, pushBody(facts), {});
        return storedFindings(api, 'plain', digest);
      };

      const first = await analyse(1);
      const remembered = api.app.purlAnswers.ofOrg(acmeId);
      assert.ok(remembered && remembered.size > 0, 'the job remembered answers in the server\'s memory');
      const express = [...remembered.entries()].find(([purl]) => purl.startsWith('pkg:npm/express@'));
      assert.ok(express && express[1].findings.length > 0, 'express is remembered with its findings');
      const firstFindings = await storedFindings(api, 'acme', first.digest);
      assert.ok(firstFindings.some((f) => f.purl.startsWith('pkg:npm/express@')) && firstFindings.some((f) => f.packageName === 'libssl3'), 'findings from memory-eligible and owner-matched packages');
      assert.deepEqual(firstFindings, await unremembered(first.ref, first.digest));

      // The second image takes express's and left-pad's answers from memory (the shared object marks the push that fit it).
      delete express[1].pushedAs;
      const second = await analyse(2);
      assert.notEqual(express[1].pushedAs, undefined, 'the second analysis took the remembered answer');
      const secondFindings = await storedFindings(api, 'acme', second.digest);
      assert.deepEqual(secondFindings, firstFindings, 'answered from memory: the same findings');
      assert.deepEqual(secondFindings, await unremembered(second.ref, second.digest));

      // A new advisory for left-pad, remembered without findings.
      const leftPad = [...remembered.keys()].find((purl) => purl.startsWith('pkg:npm/left-pad@'));
      assert.ok(leftPad && remembered.get(leftPad)!.findings.length === 0 && !firstFindings.some((f) => f.purl === leftPad), 'left-pad remembered, without findings');
      await api.advisories.importBatch({ kind: 'advisories', source: { name: 'test-feed', kind: 'advisories' }, mode: 'merge', records: [await npmAdvisory('GHSA-anlz-test-test', 'left-pad', '99.0.0', 'imported between two analyses')] });

      const third = await analyse(3);
      const thirdFindings = await storedFindings(api, 'acme', third.digest);
      assert.deepEqual(thirdFindings.filter((f) => f.purl === leftPad).map((f) => f.vulnerabilityId), ['GHSA-anlz-test-test'], 'the imported advisory is matched');
      assert.equal(thirdFindings.length, firstFindings.length + 1);
      assert.deepEqual(thirdFindings, await unremembered(third.ref, third.digest));
      assert.deepEqual(api.app.purlAnswers.get(acmeId, leftPad)?.findings.map((f) => f.id), ['GHSA-anlz-test-test'], 'remembered afresh after the import');
    });
  });
}
