/**
 * Authentication for everything under /v1 (but the OpenAPI document; nothing outside /v1): a Bearer token is looked
 * up by its hash and the request gets `caller` and `org`, the OrgStore opened for the token's
 * organisation, which is the only store a route can reach. A missing, unknown or revoked token
 * is a 401 with no detail. A route's `config.scope` (default `read`) is the scope it needs:
 * read < write < admin. The dashboard's session cookie (see ../session.ts) stands for its token
 * when no Authorization header is sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Caller, OrgStore, PlatformStore, TokenScope } from '../../store/platform-store.js';
import type { Sessions } from '../session.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    org: OrgStore;
  }
  interface FastifyContextConfig {
    /** The token scope the route needs (default read); `public` skips authentication. */
    scope?: TokenScope | 'public';
  }
}

const RANK: Record<TokenScope, number> = { read: 0, write: 1, admin: 2 };

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return m?.[1];
}

export default fp(async function auth(app: FastifyInstance, opts: { platform: PlatformStore; sessions?: Sessions }) {
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorateRequest('org', null as unknown as OrgStore);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Only the API is behind tokens: health checks and the dashboard's files sit outside /v1.
    if (!request.url.startsWith('/v1/') && request.url !== '/v1') return;
    const need = request.routeOptions.config?.scope ?? 'read';
    if (need === 'public') return;
    const header = request.headers.authorization;
    const token = bearerToken(header);
    const sessionTokenId = header === undefined ? opts.sessions?.tokenIdOf(request.headers.cookie) : undefined;
    const caller = token ? await opts.platform.authenticate(token) : sessionTokenId ? await opts.platform.callerByTokenId(sessionTokenId) : undefined;
    if (!caller) return reply.status(401).send({ code: 'unauthorized', message: 'unauthorized' });
    if (RANK[caller.token.scope] < RANK[need]) return reply.status(403).send({ code: 'forbidden', message: `this needs a token with ${need} scope` });
    request.caller = caller;
    request.org = opts.platform.forOrg(caller.org);
  });
});
