/** The events outbox: what happened to the organisation's images, oldest first, cursor-paged. */
import type { FastifyInstance } from 'fastify';
import { activityOf } from '../../activity.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { EVENT_KIND_ENUM } from '../../schemas/continuous.js';

export default async function eventRoutes(app: FastifyInstance): Promise<void> {
  app.get('/events', {
    schema: {
      tags: ['events'],
      operationId: 'listEvents',
      summary: 'Events (new, fixed, withdrawn vulnerabilities; pushed images), filterable; `after` resumes after an event id',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          cursor: { type: 'string', maxLength: 2000 },
          after: { type: 'string', maxLength: 64 },
          kind: { type: 'string', enum: EVENT_KIND_ENUM },
          image: { type: 'string', maxLength: 200 },
          vulnerability: { type: 'string', maxLength: 200 },
          environment: { type: 'string', maxLength: 63 },
        },
      },
      response: { 200: { $ref: 'EventPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; after?: string; kind?: string; image?: string; vulnerability?: string; environment?: string };
    return activityOf(req).listEvents(
      { ...(q.kind ? { kind: q.kind } : {}), ...(q.image ? { image: q.image } : {}), ...(q.vulnerability ? { vulnerability: q.vulnerability } : {}), ...(q.environment ? { environment: q.environment } : {}) },
      { ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.after ? { after: q.after } : {}) },
    );
  });
}
