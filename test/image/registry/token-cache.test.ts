/**
 * The process-wide Bearer token cache: a token is reused only for the same registry, repository
 * scope and identity. A token fetched anonymously, or for one user, must never be sent for
 * another user or another repository — that would pull with the wrong rights.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { clearTokenCache, RegistryAuth } from '../../../src/image/registry/auth.js';
import type { Credentials } from '../../../src/image/registry/credentials.js';
import { startFake, type FakeServer } from './fake-registry.js';

interface Issued {
  token: string;
  account: string | null;
  scope: string | null;
  refreshToken: string | null;
}

/** A token service that issues a new token per request and remembers who asked for what. */
async function tokenService(): Promise<{ server: FakeServer; issued: Issued[] }> {
  const issued: Issued[] = [];
  const server = await startFake(async (req, res, url) => {
    let params = url.searchParams;
    if (req.method === 'POST') {
      let body = '';
      for await (const c of req) body += c;
      params = new URLSearchParams(body);
    }
    const token = `tok-${issued.length + 1}`;
    issued.push({ token, account: params.get('account'), scope: params.get('scope'), refreshToken: params.get('refresh_token') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  return { server, issued };
}

const service = tokenService();
after(async () => (await service).server.close());
beforeEach(clearTokenCache);

const REGISTRY = 'registry.example';
const alice: Credentials = { username: 'alice', password: 'a-pass', origin: 'test' };
const bob: Credentials = { username: 'bob', password: 'b-pass', origin: 'test' };

/** A client for REGISTRY as `creds`, its token service the local one. */
async function authAs(creds: Credentials | undefined): Promise<RegistryAuth> {
  return new RegistryAuth(REGISTRY, async () => creds, { fetch: (u, init) => fetch(u, init) });
}

/** What the client sends for `repo` after the registry challenged it: the cached token, or a new one. */
async function tokenFor(creds: Credentials | undefined, repo: string): Promise<{ before: string | undefined; sent: string }> {
  const { server } = await service;
  const auth = await authAs(creds);
  const scope = `repository:${repo}:pull`;
  const before = await auth.current(scope);
  const sent = await auth.answer(`Bearer realm="${server.url}/token",service="${REGISTRY}",scope="${scope}"`, scope, repo);
  return { before, sent };
}

test('the same identity and scope reuse one token (the cache works at all)', async () => {
  const { issued } = await service;
  const n = issued.length;
  const first = await tokenFor(alice, 'team/app');
  const second = await tokenFor(alice, 'team/app');
  assert.equal(first.before, undefined);
  assert.equal(second.before, first.sent, 'sent before any challenge');
  assert.equal(second.sent, first.sent);
  assert.equal(issued.length, n + 1);
  assert.equal(issued.at(-1)!.account, 'alice');
});

test('an anonymous token is not reused for a user, nor a user\'s for anonymous', async () => {
  const { issued } = await service;
  const anon = await tokenFor(undefined, 'team/app');
  assert.equal(issued.at(-1)!.account, null);
  const user = await tokenFor(alice, 'team/app');
  assert.equal(user.before, undefined, 'no token sent up front for alice');
  assert.notEqual(user.sent, anon.sent);
  assert.equal(issued.at(-1)!.account, 'alice');
  assert.equal(user.sent, `Bearer ${issued.at(-1)!.token}`);
  const anonAgain = await tokenFor(undefined, 'team/app');
  assert.equal(anonAgain.sent, anon.sent, 'the anonymous token is still the anonymous one');
});

test('one user\'s token is not reused for another user', async () => {
  const { issued } = await service;
  const a = await tokenFor(alice, 'team/app');
  const b = await tokenFor(bob, 'team/app');
  assert.equal(b.before, undefined);
  assert.notEqual(b.sent, a.sent);
  assert.equal(issued.at(-1)!.account, 'bob');
  assert.equal(b.sent, `Bearer ${issued.at(-1)!.token}`);
});

test('one repository scope\'s token is not reused for another repository', async () => {
  const { issued } = await service;
  const app = await tokenFor(alice, 'team/app');
  const other = await tokenFor(alice, 'team/secret');
  assert.equal(other.before, undefined);
  assert.notEqual(other.sent, app.sent);
  assert.equal(issued.at(-1)!.scope, 'repository:team/secret:pull');
  const anonApp = await tokenFor(undefined, 'team/app');
  const anonOther = await tokenFor(undefined, 'team/other');
  assert.notEqual(anonOther.sent, anonApp.sent);
});

test('two identity tokens (two logins without a username) do not share a token', async () => {
  const { issued } = await service;
  const one = await tokenFor({ identityToken: 'refresh-one', origin: 'test' }, 'team/app');
  assert.equal(issued.at(-1)!.refreshToken, 'refresh-one');
  const two = await tokenFor({ identityToken: 'refresh-two', origin: 'test' }, 'team/app');
  assert.equal(two.before, undefined);
  assert.notEqual(two.sent, one.sent);
  assert.equal(issued.at(-1)!.refreshToken, 'refresh-two');
});
