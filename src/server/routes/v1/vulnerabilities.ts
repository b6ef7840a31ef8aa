/** Which of my images and packages have a vulnerability (any of its ids: CVE, GHSA, DSA…). */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function vulnerabilityRoutes(app: FastifyInstance): Promise<void> {
  app.get('/vulnerabilities/:id', {
    schema: {
      tags: ['vulnerabilities'],
      operationId: 'vulnerabilityUsage',
      summary: 'The organisation\'s images and packages with this vulnerability',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'UsagePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => req.org.vulnerabilityUsage((req.params as { id: string }).id, req.query as { limit?: number; cursor?: string }));
}
