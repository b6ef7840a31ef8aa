/** API tokens of the caller's organisation (admin scope). A new token is shown once. */
import type { FastifyInstance } from 'fastify';
import type { PageRequest, TokenInfo, TokenScope } from '../../../store/platform-store.js';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

const tokenReply = ({ orgId: _orgId, ...t }: TokenInfo) => t;

export default async function tokenRoutes(app: FastifyInstance): Promise<void> {
  app.get('/tokens', {
    config: { scope: 'admin' },
    schema: {
      tags: ['tokens'],
      operationId: 'listTokens',
      summary: 'The organisation\'s tokens (never the tokens themselves), oldest first, a page at a time',
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'TokenPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const page = await req.org.listTokens(req.query as PageRequest);
    return { ...page, items: page.items.map(tokenReply) };
  });

  app.post('/tokens', {
    config: { scope: 'admin' },
    schema: {
      tags: ['tokens'],
      operationId: 'createToken',
      summary: 'Create a token; the reply is the only time it is shown',
      body: {
        type: 'object',
        required: ['name', 'scope'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, scope: { type: 'string', enum: ['read', 'write', 'admin'] } },
      },
      response: {
        201: { type: 'object', required: ['token', 'info'], additionalProperties: false, properties: { token: { type: 'string' }, info: { $ref: 'Token#' } } },
        ...ERROR_REPLIES,
      },
    },
  }, async (req, reply) => {
    const { name, scope } = req.body as { name: string; scope: TokenScope };
    const { token, info } = await req.org.createToken(name, scope);
    return reply.status(201).send({ token, info: tokenReply(info) });
  });

  app.delete('/tokens/:id', {
    config: { scope: 'admin' },
    schema: {
      tags: ['tokens'],
      operationId: 'revokeToken',
      summary: 'Revoke a token',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
      response: { 204: { type: 'null' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await req.org.revokeToken(id))) throw new ScoutError('not-found', `no token ${id}`);
    return reply.status(204).send();
  });
}
