/**
 * GET /v1/jobs/{id}: how a job the organisation queued is going: a server-side analysis
 * (POST /v1/images/analyze) or an advisory sync (POST /v1/advisories/sync).
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { JOB_SCHEMA, jobView } from '../../job-view.js';

const JOB_ID = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;

export default async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.get('/jobs/:id', {
    schema: {
      tags: ['images'],
      operationId: 'getJob',
      summary: 'A job of the organisation (a server-side analysis, or an advisory sync it asked for): its state; when done, the stored image\'s digest or what each advisory source did; when failed, what was wrong',
      params: { type: 'object', required: ['id'], properties: { id: JOB_ID } },
      response: { 200: JOB_SCHEMA, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return jobView(app, req.caller.org.id, id);
  });
}
