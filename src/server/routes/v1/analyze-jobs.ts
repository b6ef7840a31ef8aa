/**
 * Server-side analysis: POST /v1/images/analyze queues an `analyze-image` job (the server pulls
 * the image from a registry its operator allowed, analyses it as `scout push` does and stores
 * it), GET /v1/jobs/{id} tells how it went. A job belongs to the organisation that queued it:
 * another organisation's job id is a 404, as an unknown one.
 */
import type { FastifyInstance } from 'fastify';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { analyzeTarget } from '../../analyze-registries.js';
import { ANALYZE_JOB, type AnalyzePayload } from '../../../jobs/handlers/analyze-image.js';

const TAG = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } as const;
const JOB_ID = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;

const JOB = {
  type: 'object',
  required: ['id', 'kind', 'state', 'reference', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [ANALYZE_JOB] },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'], description: 'queued: waiting (also between attempts); failed: for good, see error' },
    reference: { type: 'string' },
    platform: { type: 'string' },
    attempts: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    error: { type: 'string', description: 'Why the last attempt failed (when failed: why the job did)' },
    result: {
      type: 'object',
      required: ['digest', 'created', 'tags', 'packages'],
      properties: {
        digest: { type: 'string' },
        created: { type: 'boolean', description: 'false: the organisation held this digest already' },
        repository: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        packages: { type: 'integer' },
        incompleteLayers: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

const STATE: Record<string, string> = { ready: 'queued', retry: 'queued', active: 'running', done: 'done', failed: 'failed' };

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
      response: { 202: JOB, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const jobs = app.deps.jobs;
    if (!jobs) throw new ScoutError('store-no-jobs', 'this server runs no job queue: server-side analysis is not available');
    const body = req.body as Omit<AnalyzePayload, 'orgId'>;
    // Refused here, with the reason, rather than as a failed job (the worker checks again).
    analyzeTarget(body.reference, app.deps.analyzeRegistries ?? { hosts: [], insecure: [] }, body.platform);
    const id = await jobs.enqueueAnalysis({ orgId: req.caller.org.id, reference: body.reference, ...(body.platform ? { platform: body.platform } : {}), ...(body.repository ? { repository: body.repository } : {}), ...(body.tags?.length ? { tags: body.tags } : {}) });
    return reply.status(202).send(await readJob(app, req.caller.org.id, id));
  });

  app.get('/jobs/:id', {
    schema: {
      tags: ['images'],
      operationId: 'getJob',
      summary: 'A server-side analysis job of the organisation: its state and, when done, the stored image\'s digest; when failed, what was wrong',
      params: { type: 'object', required: ['id'], properties: { id: JOB_ID } },
      response: { 200: JOB, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return readJob(app, req.caller.org.id, id);
  });
}

async function readJob(app: FastifyInstance, orgId: string, id: string): Promise<Record<string, unknown>> {
  const row = await app.deps.jobs?.readJob(id, ANALYZE_JOB);
  const payload = row ? (JSON.parse(row.payload) as AnalyzePayload) : undefined;
  // Another organisation's job is as unknown as one that never was.
  if (!row || payload?.orgId !== orgId) throw new ScoutError('not-found', `no job ${id}`);
  const iso = (ms: number | string | null) => (ms === null ? undefined : new Date(Number(ms)).toISOString());
  const finishedAt = iso(row.finished_at);
  return {
    id: row.id,
    kind: row.name,
    state: STATE[row.state] ?? row.state,
    reference: payload.reference,
    ...(payload.platform ? { platform: payload.platform } : {}),
    attempts: row.attempts,
    createdAt: iso(row.created_at),
    ...(finishedAt ? { finishedAt } : {}),
    ...(row.last_error && row.state !== 'done' ? { error: row.last_error } : {}),
    ...(row.result && row.state === 'done' ? { result: JSON.parse(row.result) as unknown } : {}),
  };
}
