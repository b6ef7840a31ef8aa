/** The dashboard's overview of an organisation: counts by severity, their trend, the most fixable images. */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function overviewRoutes(app: FastifyInstance): Promise<void> {
  app.get('/overview', {
    schema: {
      tags: ['overview'],
      operationId: 'overview',
      summary: 'Images and repositories counted, open vulnerabilities by severity, their daily trend (up to `days` back) and the 5 images with the most fixable critical and high findings',
      querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 365, default: 30 } } },
      response: { 200: { $ref: 'Overview#' }, ...ERROR_REPLIES },
    },
  }, async (req) => req.org.dashboard.overview(new Date(), (req.query as { days: number }).days));
}
