/** Package names across the organisation's images (where one is used: GET /v1/packages?purl=). */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function packageNameRoutes(app: FastifyInstance): Promise<void> {
  app.get('/package-names', {
    schema: {
      tags: ['packages'],
      operationId: 'listPackageNames',
      summary: 'Packages held by the organisation\'s images, one row per type, namespace and name, with their versions and how many images hold them',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 200, description: 'Text in the name or namespace (case-insensitive).' },
          type: { type: 'string', maxLength: 50, description: 'A purl type: deb, npm, pypi, …' },
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          cursor: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 200: { $ref: 'PackageNamePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { limit, cursor, q, type } = req.query as { q?: string; type?: string; limit?: number; cursor?: string };
    return req.org.dashboard.packageNames({ ...(q ? { q } : {}), ...(type ? { type } : {}) }, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
  });
}
