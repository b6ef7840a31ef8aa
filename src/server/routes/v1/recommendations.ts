/**
 * Base image recommendations from an image's layer digests alone (as local analysis sends
 * them): its base image and the other tags of the base's repository, ranked. Writes nothing.
 */
import type { FastifyInstance } from 'fastify';
import { chainIds } from '../../../image/chain-id.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function recommendationRoutes(app: FastifyInstance): Promise<void> {
  app.post('/recommendations', {
    schema: {
      tags: ['analysis'],
      operationId: 'recommendBaseImages',
      summary: 'Other tags of the base image\'s repository, ranked by fewer fixable critical and high vulnerabilities, same OS family, newer, smaller; nothing is stored',
      body: { $ref: 'RecommendationRequest#' },
      response: { 200: { $ref: 'Recommendations#' }, ...ERROR_REPLIES },
    },
  }, async (req) => req.org.recommendBaseImages(chainIds((req.body as { layerDigests: string[] }).layerDigests)));
}
