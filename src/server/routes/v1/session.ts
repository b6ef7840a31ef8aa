/**
 * Dashboard sign-in: `POST /v1/session` takes an API token and answers with an HttpOnly,
 * SameSite=Strict session cookie (src/server/session.ts); `DELETE /v1/session` ends it.
 * Both are public: the token in the body is what is checked.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ScoutError } from '../../../util/errors.js';
import type { Sessions } from '../../session.js';

const secure = (req: FastifyRequest) => req.protocol === 'https';

export default async function sessionRoutes(app: FastifyInstance, opts: { sessions: Sessions }): Promise<void> {
  app.post('/session', {
    config: { scope: 'public' },
    schema: {
      tags: ['session'],
      operationId: 'createSession',
      summary: 'Sign the dashboard in: checks an API token and sets an HttpOnly session cookie (the token is not kept in the browser)',
      body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: {
        200: {
          type: 'object',
          required: ['org', 'token', 'expiresAt'],
          additionalProperties: false,
          properties: {
            org: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } },
            token: { $ref: 'Token#' },
            expiresAt: { type: 'string' },
          },
        },
        400: { $ref: 'Error#' },
        401: { $ref: 'Error#' },
      },
    },
  }, async (req, reply) => {
    const caller = await app.deps.platform.authenticate((req.body as { token: string }).token);
    if (!caller) throw new ScoutError('unauthorized', 'unauthorized');
    const { cookie, expiresAt } = opts.sessions.issue(caller.token.id, secure(req));
    const { orgId: _orgId, ...token } = caller.token;
    return reply.header('set-cookie', cookie).header('cache-control', 'no-store').send({ org: { name: caller.org.name }, token, expiresAt });
  });

  app.delete('/session', {
    config: { scope: 'public' },
    schema: { tags: ['session'], operationId: 'deleteSession', summary: 'Sign the dashboard out: the session cookie is cleared', response: { 204: { type: 'null' } } },
  }, async (req, reply) => reply.header('set-cookie', opts.sessions.clear(secure(req))).status(204).send());
}
