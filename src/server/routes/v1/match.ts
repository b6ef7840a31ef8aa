/**
 * Local analysis: POST /v1/match with only `{ purls, layerDigests }` answers findings and the
 * base image. It writes nothing and logs nothing of the body (Fastify's request log holds the
 * method and URL only; errors are logged by code).
 */
import type { FastifyInstance } from 'fastify';
import { analyzeLocally, type MatchRequest } from '../../analyze.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { PurlAnswers } from '../../purl-answers.js';

export default async function matchRoutes(app: FastifyInstance): Promise<void> {
  const answers = new PurlAnswers(app.deps.advisories);
  app.post('/match', {
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      tags: ['analysis'],
      operationId: 'matchLocal',
      summary: 'Local analysis: findings and base image for package URLs and layer digests; nothing is stored',
      body: { $ref: 'MatchRequest#' },
      response: { 200: { $ref: 'MatchResult#' }, 413: { $ref: 'Error#' }, ...ERROR_REPLIES },
    },
  }, async (req) => analyzeLocally(req.body as MatchRequest, app.deps.advisories, req.org, answers));
}
