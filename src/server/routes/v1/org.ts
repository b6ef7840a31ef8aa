/** The caller's organisation: who am I, retention, deleting it. */
import type { FastifyInstance } from 'fastify';
import type { Org } from '../../../store/platform-store.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

const orgReply = (o: Org) => ({ name: o.name, retentionDays: o.retentionDays, createdAt: o.createdAt });

export default async function orgRoutes(app: FastifyInstance): Promise<void> {
  app.get('/whoami', {
    schema: {
      tags: ['org'],
      operationId: 'whoami',
      summary: 'The organisation and token the request is authenticated as',
      response: {
        200: { type: 'object', required: ['org', 'token'], additionalProperties: false, properties: { org: { $ref: 'Org#' }, token: { $ref: 'Token#' } } },
        ...ERROR_REPLIES,
      },
    },
  }, async (req) => {
    const { orgId: _orgId, ...token } = req.caller.token;
    return { org: orgReply(req.caller.org), token };
  });

  app.get('/org', {
    schema: { tags: ['org'], operationId: 'getOrg', summary: 'The caller\'s organisation', response: { 200: { $ref: 'Org#' }, ...ERROR_REPLIES } },
  }, async (req) => orgReply(req.org.org));

  app.patch('/org', {
    config: { scope: 'admin' },
    schema: {
      tags: ['org'],
      operationId: 'updateOrg',
      summary: 'Set the retention: images not pushed or seen for this many days are deleted (null keeps them)',
      body: { type: 'object', required: ['retentionDays'], additionalProperties: false, properties: { retentionDays: { type: ['integer', 'null'], minimum: 1, maximum: 36500 } } },
      response: { 200: { $ref: 'Org#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { retentionDays } = req.body as { retentionDays: number | null };
    return orgReply(await req.org.setRetention(retentionDays));
  });

  app.delete('/org', {
    config: { scope: 'admin' },
    schema: {
      tags: ['org'],
      operationId: 'deleteOrg',
      summary: 'Delete the organisation with everything it owns, its tokens included',
      response: { 204: { type: 'null' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    await app.deps.platform.deleteOrg(req.org.org.id);
    return reply.status(204).send();
  });
}
