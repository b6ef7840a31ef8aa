/**
 * A repository's current tags (GET /v1/repositories/{name}/tags) and pointing tags at a stored
 * image without pushing it again (POST /v1/images/{digest}/tags): what scout watch compares
 * with a registry and how it follows a tag that moved to an image already stored; removing a tag
 * (DELETE /v1/repositories/{name}/tags/{tag}) the registry no longer lists; and marking images
 * seen (POST /v1/images/seen) for those it still finds there.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../src/sbom/model.js';
import type { ImageDetail, RepositoryTag } from '../../src/store/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi, type TestApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

let a: Sbom;
let b: Sbom;
const INDEX = `sha256:${'1'.repeat(64)}`;
before(async () => {
  a = await demoImageSbom();
  // A second image: the same SBOM under another digest, picked from a multi-platform index.
  b = JSON.parse(writeScoutJson(a)) as Sbom;
  b.image = { ...b.image!, digest: `sha256:${'b'.repeat(64)}`, indexDigest: INDEX };
});

const REPO = 'registry.example.com:5000/team/app';
const enc = encodeURIComponent;

async function push(api: TestApi, sbom: Sbom, repository: string, tag: string): Promise<void> {
  const r = await api.call({ method: 'POST', url: `/v1/images?repository=${enc(repository)}&tag=${tag}`, route: 'POST /v1/images', payload: writeScoutJson(sbom), headers: { 'content-type': 'application/json' }, token: api.admin });
  assert.equal(r.status, 201);
}

const tagsOf = (api: TestApi, repository: string, token = api.admin) => api.call<{ items: RepositoryTag[] }>({ method: 'GET', url: `/v1/repositories/${enc(repository)}/tags`, route: 'GET /v1/repositories/:name/tags', token });
const tagImage = (api: TestApi, digest: string, body: unknown, token = api.admin) => api.call<ImageDetail>({ method: 'POST', url: `/v1/images/${digest}/tags`, route: 'POST /v1/images/:digest/tags', payload: body as object, token });

for (const backend of BACKENDS) {
  describe(`repository tags on ${backend}`, () => {
    test('tags list the image each points at; a tag moved to a stored image moves without a push; other repositories and organisations stay apart', async (t) => {
      const api = await testApi(backend, t);
      await push(api, a, REPO, '1');
      await push(api, b, REPO, '2');
      const A = a.image!.digest;
      const B = b.image!.digest;
      const before = await tagsOf(api, REPO);
      assert.equal(before.status, 200);
      assert.deepEqual(before.body.items.map((x) => [x.tag, x.digest, x.indexDigest]), [['1', A, undefined], ['2', B, INDEX]]);
      const counts = await api.platform.tableCounts();

      const moved = await tagImage(api, B, { repository: REPO, tags: ['1'] });
      assert.equal(moved.status, 200);
      assert.equal(moved.body.digest, B);
      assert.deepEqual(moved.body.tags, ['1', '2']);
      assert.deepEqual((await tagsOf(api, REPO)).body.items.map((x) => [x.tag, x.digest]), [['1', B], ['2', B]]);
      const image = await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${A}`, route: 'GET /v1/images/:digest', token: api.admin });
      assert.deepEqual(image.body.tags, [], 'the tag left the image it pointed at');
      const after = await api.platform.tableCounts();
      assert.equal(after.tags, counts.tags + 1, 'one tag history row more (the old one closed, not deleted)');
      assert.equal(after.images, counts.images);
      assert.equal(after.findings, counts.findings, 'nothing analysed or matched again');

      // Pointing a tag where it already points changes nothing.
      await tagImage(api, B, { repository: REPO, tags: ['1'] });
      assert.equal((await api.platform.tableCounts()).tags, after.tags);

      // A tag of another repository (made here) may point at an image pushed elsewhere.
      assert.equal((await tagsOf(api, 'mirror/app')).status, 404);
      assert.equal((await tagImage(api, A, { repository: 'mirror/app', tags: ['stable'] })).status, 200);
      assert.deepEqual((await tagsOf(api, 'mirror/app')).body.items.map((x) => [x.tag, x.digest]), [['stable', A]]);

      assert.equal((await tagImage(api, `sha256:${'9'.repeat(64)}`, { repository: REPO, tags: ['x'] })).status, 404);
      assert.equal((await tagImage(api, B, { repository: REPO, tags: ['bad tag'] })).status, 400);
      assert.equal((await tagImage(api, B, { repository: REPO, tags: [] })).status, 400);
      assert.equal((await tagImage(api, B, { repository: REPO, tags: ['x'] }, await api.tokenFor('acme', 'read'))).status, 403);
      const other = await api.tokenFor('globex');
      assert.equal((await tagsOf(api, REPO, other)).status, 404, 'another organisation sees no such repository');
      assert.equal((await tagImage(api, B, { repository: REPO, tags: ['x'] }, other)).status, 404, 'nor the image');
      assert.deepEqual((await tagsOf(api, REPO)).body.items.map((x) => [x.tag, x.digest]), [['1', B], ['2', B]]);
    });

    test('untag: the tag leaves the repository, its image and the other tags stay; unknown tags and other organisations are 404s; write scope', async (t) => {
      const api = await testApi(backend, t);
      await push(api, a, REPO, '1');
      await push(api, b, REPO, '2');
      const A = a.image!.digest;
      assert.equal((await tagImage(api, A, { repository: REPO, tags: ['1.0'] })).status, 200);
      const untag = (repository: string, tag: string, token = api.admin) => api.call({ method: 'DELETE', url: `/v1/repositories/${enc(repository)}/tags/${tag}`, route: 'DELETE /v1/repositories/:name/tags/:tag', token });
      const counts = await api.platform.tableCounts();
      assert.equal((await untag(REPO, '1', await api.tokenFor('acme', 'read'))).status, 403);
      assert.equal((await untag(REPO, '1', await api.tokenFor('globex'))).status, 404, 'another organisation has no such tag');
      const r = await untag(REPO, '1');
      assert.equal(r.status, 204);
      assert.deepEqual((await tagsOf(api, REPO)).body.items.map((x) => x.tag), ['1.0', '2']);
      const image = await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${A}`, route: 'GET /v1/images/:digest', token: api.admin });
      assert.equal(image.status, 200, 'the image stays');
      assert.deepEqual(image.body.tags, ['1.0']);
      const after = await api.platform.tableCounts();
      assert.deepEqual([after.tags, after.images], [counts.tags, counts.images], 'the tag\'s history row is closed, not deleted');
      assert.equal((await untag(REPO, '1')).status, 404, 'removed already');
      assert.equal((await untag(REPO, 'nope')).status, 404);
      assert.equal((await untag('no/such', '1')).status, 404);
      assert.equal((await untag(REPO, '.bad')).status, 400);
      // Tagging the image again brings it back.
      assert.equal((await tagImage(api, A, { repository: REPO, tags: ['1'] })).status, 200);
      assert.deepEqual((await tagsOf(api, REPO)).body.items.map((x) => x.tag), ['1', '1.0', '2']);
    });

    test('images seen: the stored ones among the digests are marked seen now, another organisation\'s are not touched', async (t) => {
      const api = await testApi(backend, t);
      await push(api, a, REPO, '1');
      await push(api, b, REPO, '2');
      const A = a.image!.digest;
      const B = b.image!.digest;
      const lastSeen = async (digest: string) => (await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${digest}`, route: 'GET /v1/images/:digest', token: api.admin })).body.lastSeenAt;
      const [a0, b0] = [await lastSeen(A), await lastSeen(B)];
      await new Promise((r) => setTimeout(r, 10));
      const seen = (digests: string[], token = api.admin) => api.call<{ seen: number }>({ method: 'POST', url: '/v1/images/seen', route: 'POST /v1/images/seen', payload: { digests }, token });
      const r = await seen([A, A, `sha256:${'9'.repeat(64)}`]);
      assert.equal(r.status, 200);
      assert.equal(r.body.seen, 1, 'one stored image among them');
      assert.ok((await lastSeen(A)) > a0, 'A was seen again');
      assert.equal(await lastSeen(B), b0, 'B was not named');
      assert.deepEqual((await seen([B], await api.tokenFor('globex'))).body, { seen: 0 }, 'not another organisation\'s image');
      assert.equal(await lastSeen(B), b0);
      assert.equal((await seen([])).status, 400);
      assert.equal((await seen(['latest'])).status, 400);
      assert.equal((await seen([B], await api.tokenFor('acme', 'read'))).status, 403);
    });
  });
}
