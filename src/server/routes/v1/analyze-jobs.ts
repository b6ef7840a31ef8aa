/**
 * Server-side analysis: POST /v1/images/analyze queues an `analyze-image` job (the server pulls
 * the image from a registry its operator allowed, analyses it as `scout push` does and stores
 * it); GET /v1/jobs/{id} (jobs.ts) tells how it went.
 */
import type { FastifyInstance } from 'fastify';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { analyzeTarget } from '../../analyze-registries.js';
import type { AnalyzePayload } from '../../../jobs/handlers/analyze-image.js';
import { JOB_SCHEMA, jobView } from '../../job-view.js';

const TAG = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } as const;

export default async function analyzeJobRoutes(app: FastifyInstance): Promise<void> {
  app.post('/images/analyze', {
    config: { scope: 'write' },
    schema: {
      tags: ['images'],
      operationId: 'analyzeImage',
      summary: 'Queue the server-side analysis of a registry image: the server pulls it (only from the registries its operator allowed with --analyze-registry), analyses it as scout push does and stores it as POST /v1/images does. Answers 202 with the job; follow it with GET /v1/jobs/{id}.',
      body: {
        type: 'object',
        required: ['reference'],
        additionalProperties: false,
        properties: {
          reference: { type: 'string', minLength: 1, maxLength: 1000, description: 'registry/repository:tag or registry/repository@sha256:…' },
          platform: { type: 'string', minLength: 1, maxLength: 100, description: 'os/arch[/variant] to pick from a multi-platform image (default: the server\'s)' },
          repository: { type: 'string', minLength: 1, maxLength: 500, description: 'repository to file it under (default: the reference\'s)' },
          tags: { type: 'array', maxItems: 100, items: TAG, description: 'tags to point at it (default: the reference\'s tag)' },
        },
      },
      response: { 202: JOB_SCHEMA, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const jobs = app.deps.jobs;
    if (!jobs) throw new ScoutError('store-no-jobs', 'this server runs no job queue: server-side analysis is not available');
    const body = req.body as Omit<AnalyzePayload, 'orgId'>;
    // Refused here, with the reason, rather than as a failed job (the worker checks again).
    analyzeTarget(body.reference, app.deps.analyzeRegistries ?? { hosts: [], insecure: [] }, body.platform);
    const id = await jobs.enqueueAnalysis({ orgId: req.caller.org.id, reference: body.reference, ...(body.platform ? { platform: body.platform } : {}), ...(body.repository ? { repository: body.repository } : {}), ...(body.tags?.length ? { tags: body.tags } : {}) });
    return reply.status(202).send(await jobView(app, req.caller.org.id, id));
  });

}

