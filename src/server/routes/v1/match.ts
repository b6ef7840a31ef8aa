/**
 * Local analysis: POST /v1/match with only `{ purls, layerDigests }` answers findings and the
 * base image. It writes nothing and logs nothing of the body (Fastify's request log holds the
 * method and URL only; errors are logged by code).
 *
 * The reply is sent as JSON bytes assembled from each purl's findings, serialised (and encoded)
 * once by the serialisers of the reply schema's own parts (see analyzeLocallyJson): the same
 * bytes Fastify's serialiser of `MatchResult` would write, without serialising 70-odd findings
 * per request. The body is checked by a hand-written check of the usual body in front of the
 * schema's own validator (match-request-check.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { analyzeLocallyJson, type MatchReplySerializers, type MatchRequest } from '../../analyze.js';
import { matchRequestValidatorCompiler } from '../../match-request-check.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

// Module constants: Fastify compiles a serialiser once per schema object and route.
const FINDINGS = { type: 'array', items: { $ref: 'MatchFinding#' } };
const NOT_MATCHABLE = { $ref: 'MatchResult#/properties/notMatchable' };
const BASE_IMAGE = { $ref: 'BaseImage#' };

function serializers(reply: FastifyReply): MatchReplySerializers {
  // Fastify types a compiled serialiser's input as an object; these take what their schemas describe.
  const compiled = (schema: Record<string, unknown>) => reply.compileSerializationSchema(schema) as unknown as (value: unknown) => string;
  return { findings: compiled(FINDINGS), notMatchable: compiled(NOT_MATCHABLE), baseImage: compiled(BASE_IMAGE) };
}

export default async function matchRoutes(app: FastifyInstance): Promise<void> {
  app.post('/match', {
    bodyLimit: 16 * 1024 * 1024,
    validatorCompiler: matchRequestValidatorCompiler(),
    schema: {
      tags: ['analysis'],
      operationId: 'matchLocal',
      summary: 'Local analysis: findings and base image for package URLs and layer digests; nothing is stored',
      body: { $ref: 'MatchRequest#' },
      response: { 200: { $ref: 'MatchResult#' }, 413: { $ref: 'Error#' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const json = await analyzeLocallyJson(req.body as MatchRequest, app.deps.advisories, req.org, app.purlAnswers, serializers(reply));
    // Bytes with a JSON content type are sent as they are (the schema serialiser is for objects).
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
