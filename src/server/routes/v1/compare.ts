/**
 * GET /v1/images/{digest}/compare?to=DIGEST: what changed from `to` to the image, both stored
 * images of the caller's organisation (the dashboard's Compare tab and `scout compare --server`).
 */
import type { FastifyInstance } from 'fastify';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { compareStoredImages } from '../../stored-comparison.js';

const DIGEST = { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } as const;

export default async function compareRoutes(app: FastifyInstance): Promise<void> {
  app.get('/images/:digest/compare', {
    schema: {
      tags: ['images'],
      operationId: 'compareImages',
      summary: 'Compare an image with another stored image of the organisation (`to`): packages added, removed and changed (up or down), open vulnerabilities added and removed, sizes, and the base image change; the same document as `scout compare --format json`',
      params: { type: 'object', required: ['digest'], properties: { digest: DIGEST } },
      querystring: {
        type: 'object',
        required: ['to'],
        additionalProperties: false,
        properties: { to: { ...DIGEST, description: 'The digest of the image to compare with (the older one, usually).' } },
      },
      response: { 200: { $ref: 'Comparison#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    const { to } = req.query as { to: string };
    const r = await compareStoredImages(req.org, digest, to);
    if ('missing' in r) throw new ScoutError('not-found', `no image ${r.missing}`);
    return r.comparison;
  });
}
