/** The base images the organisation's images are built on. */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function baseImageRoutes(app: FastifyInstance): Promise<void> {
  app.get('/base-images', {
    schema: {
      tags: ['images'],
      operationId: 'listBaseImages',
      summary: 'Base images in use (the organisation\'s own images or the public catalogue), most used first, with some of the images built on each',
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'BaseImageUsePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => req.org.dashboard.baseImages(req.query as { limit?: number; cursor?: string }));
}
