/**
 * One error shape for the whole API: `{ code, message }` with stable codes. ScoutError codes
 * map to statuses (`bad-*` 400, `not-found` 404, `store-*` 503); Fastify's own errors (validation,
 * body too large, bad JSON, unsupported media type) get codes of their own; anything else is a
 * 500 with a generic message (the details go to the log, never to the client).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ScoutError } from '../../util/errors.js';

export interface ApiError {
  statusCode: number;
  code: string;
  message: string;
}

function statusOf(code: string): number {
  if (code === 'not-found') return 404;
  if (code === 'unauthorized') return 401;
  if (code === 'forbidden') return 403;
  if (code.startsWith('store-')) return 503;
  return 400;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ScoutError) return { statusCode: statusOf(err.code), code: err.code, message: err.message };
  const e = err as FastifyError;
  if (e?.validation) return { statusCode: 400, code: 'bad-request', message: e.message };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, code: 'body-too-large', message: 'request body is larger than this route accepts' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 415, code: 'unsupported-media-type', message: 'send application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { statusCode: 400, code: 'bad-json', message: 'request body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { statusCode: 400, code: 'bad-request', message: 'Content-Length does not match the body' };
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { statusCode: e.statusCode, code: 'bad-request', message: e.message };
  return { statusCode: 500, code: 'internal', message: 'internal server error' };
}

export default fp(async function errors(app: FastifyInstance) {
  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err);
    // Never the request body: local analysis bodies must not reach the log.
    if (api.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: api.code }, 'request refused');
    void reply.status(api.statusCode).send({ code: api.code, message: api.message });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ code: 'not-found', message: 'no such resource' });
  });
});
