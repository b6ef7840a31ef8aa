/** Where a package is used in the organisation's images. */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function packageRoutes(app: FastifyInstance): Promise<void> {
  app.get('/packages', {
    schema: {
      tags: ['packages'],
      operationId: 'packageUsage',
      summary: 'Images holding this package (a purl without version: every version)',
      querystring: {
        type: 'object',
        required: ['purl'],
        properties: { purl: { type: 'string', minLength: 5, maxLength: 4096 }, limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: { type: 'string', maxLength: 2000 } },
      },
      response: { 200: { $ref: 'UsagePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { purl, ...page } = req.query as { purl: string; limit?: number; cursor?: string };
    return req.org.packageUsage(purl, page);
  });
}
