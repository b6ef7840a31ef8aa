/**
 * Listing a registry: the catalog and a repository's tags, every page followed through the
 * Link header, against a real docker-registry (pages of 2) and, for answers a real registry
 * will not give on demand, a small fake one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../../src/image/registry/client.js';
import { nextLink } from '../../../src/image/registry/listing.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, writeOciLayout } from '../../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { startFake } from './fake-registry.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;

const REPOS = ['apps/api', 'apps/web', 'base', 'tools/a-b_c.d', 'zeta'];
const TAGS = ['1.0', '1.1', '2.0', 'latest', 'v2.0.0-rc.1'];
let reg: RegistryServer;
let auth: RegistryServer;

before(async () => {
  reg = await startRegistry();
  auth = await startRegistry({ auth: { user: 'u', password: 'p' } });
  const img = await buildImage({ layers: [{ 'a.txt': 'a' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [img], refName: 'x' }]);
  for (const r of REPOS) reg.push(dir, 'x', `${r}:1.0`);
  for (const t of TAGS.slice(1)) reg.push(dir, 'x', `apps/api:${t}`);
  auth.push(dir, 'x', 'private/app:1');
});

after(async () => {
  await reg?.stop();
  await auth?.stop();
});

test('the catalog and the tags of a repository come whole, in pages of 2 followed through Link', async () => {
  const client = new RegistryClient({ registry: reg.host });
  const repos = await client.catalog(2);
  assert.deepEqual(repos, { names: REPOS, rejectedCount: 0, rejected: [] });
  assert.deepEqual((await client.listTags('apps/api', 2)).names.sort(), [...TAGS].sort());
  assert.deepEqual((await client.listTags('zeta', 2)).names, ['1.0']);
  // The registry does cut its answer at 2 names: the other 3 came through its Link header.
  const pages = await fetch(`${reg.url}/v2/_catalog?n=2`);
  assert.match(pages.headers.get('link') ?? '', /rel="next"/);
});

test('a repository that does not exist is an error naming it', async () => {
  const client = new RegistryClient({ registry: reg.host });
  await assert.rejects(client.listTags('nothing/here'), (err: unknown) => err instanceof ScoutError && err.code === 'repository-unknown' && err.message.includes(`${reg.host}/nothing/here`));
});

test('a registry behind auth: refused without credentials (saying to name repositories), listed with them', async () => {
  const anonymous = new RegistryClient({ registry: auth.host, credentials: async () => undefined });
  await assert.rejects(anonymous.catalog(), (err: unknown) => err instanceof ScoutError && err.code === 'registry-unauthorized' && /--repository/.test(err.message) && err.message.includes(auth.host));
  const wrong = new RegistryClient({ registry: auth.host, credentials: async () => ({ username: 'u', password: 'wrong', origin: 'test' }) });
  await assert.rejects(wrong.listTags('private/app'), (err: unknown) => err instanceof ScoutError && err.code === 'registry-unauthorized' && err.message.includes('private/app'));
  const right = new RegistryClient({ registry: auth.host, credentials: async () => ({ username: 'u', password: 'p', origin: 'test' }) });
  assert.deepEqual((await right.catalog()).names, ['private/app']);
  assert.deepEqual((await right.listTags('private/app')).names, ['1']);
});

test('hostile listings: invalid names are set aside, links elsewhere or back are refused, a non-list is an error', async (t) => {
  let mode = 'names';
  const fake = await startFake((_req, res, url) => {
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v2/_catalog' && mode === 'names') return void res.end(JSON.stringify({ repositories: ['ok/one', '../../etc', 'UPPER', 7, 'ok/two'] }));
    if (url.pathname === '/v2/_catalog' && mode === 'elsewhere') {
      res.setHeader('link', '<http://169.254.169.254/v2/_catalog?last=x>; rel="next"');
      return void res.end(JSON.stringify({ repositories: ['a'] }));
    }
    if (url.pathname === '/v2/_catalog' && mode === 'loop') {
      res.setHeader('link', `</v2/_catalog?last=${url.searchParams.get('last') === 'a' ? 'b' : 'a'}&n=100>; rel="next"`);
      return void res.end(JSON.stringify({ repositories: [url.searchParams.get('last') === 'a' ? 'b' : 'a'] }));
    }
    if (url.pathname === '/v2/_catalog' && mode === 'object') return void res.end(JSON.stringify({ repositories: { a: 1 } }));
    if (url.pathname === '/v2/_catalog' && mode === 'html') {
      res.setHeader('content-type', 'text/html');
      return void res.end('<html>login</html>');
    }
    if (url.pathname === '/v2/empty/tags/list') return void res.end(JSON.stringify({ name: 'empty', tags: null }));
    res.statusCode = 404;
    res.end('{}');
  });
  t.after(() => fake.close());
  const client = new RegistryClient({ registry: fake.host, retry: { tries: 1 } });
  assert.deepEqual(await client.catalog(), { names: ['ok/one', 'ok/two'], rejectedCount: 3, rejected: ['"../../etc"', '"UPPER"', '7'] });
  assert.deepEqual(await client.listTags('empty'), { names: [], rejectedCount: 0, rejected: [] });
  const refused = (pattern: RegExp) => (err: unknown) => err instanceof ScoutError && err.code === 'registry-bad-response' && pattern.test(err.message);
  mode = 'elsewhere';
  await assert.rejects(client.catalog(), refused(/next page is at http:\/\/169\.254\.169\.254, not at the registry/));
  mode = 'loop';
  await assert.rejects(client.catalog(), refused(/links back to a page already read/));
  mode = 'object';
  await assert.rejects(client.catalog(), refused(/"repositories" is not a list/));
  mode = 'html';
  await assert.rejects(client.catalog(), refused(/is not JSON \(content-type text\/html/));
});

test('Link headers: rel="next" among others, quoted or not, with commas inside the URL', () => {
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"'), '/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('</v2/x/tags/list?last=a,b>; rel="prev", </v2/x/tags/list?last=c>; rel=next'), '/v2/x/tags/list?last=c');
  assert.equal(nextLink('<https://r.example/v2/_catalog?last=z>; title="a;b"; rel="first next"'), 'https://r.example/v2/_catalog?last=z');
  assert.equal(nextLink('</v2/_catalog?last=b>; rel="prev"'), undefined);
  assert.equal(nextLink(null), undefined);
  assert.equal(nextLink('garbage'), undefined);
});
