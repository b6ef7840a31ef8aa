/**
 * A job as the API shows it (GET /v1/jobs/{id}, and the 202 that queued it): the server-side
 * analyses (`analyze-image`) and the advisory syncs asked for now (`advisory-sync`) of the
 * caller's organisation. Any other job, another organisation's, or a scheduled sync (nobody's)
 * is as unknown as one that never was: a 404.
 */
import type { FastifyInstance } from 'fastify';
import { ScoutError } from '../util/errors.js';
import { ANALYZE_JOB, type AnalyzePayload } from '../jobs/handlers/analyze-image.js';
import { ADVISORY_SYNC_JOB, type AdvisorySyncPayload } from '../jobs/handlers/advisory-sync.js';

const ANALYZE_RESULT = {
  type: 'object',
  required: ['digest', 'created', 'tags', 'packages'],
  additionalProperties: false,
  properties: {
    digest: { type: 'string' },
    created: { type: 'boolean', description: 'false: the organisation held this digest already' },
    repository: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    packages: { type: 'integer' },
    incompleteLayers: { type: 'array', items: { type: 'string' } },
  },
} as const;

const COUNT = { type: 'integer' } as const;

const SYNC_RESULT = {
  type: 'object',
  required: ['sources'],
  additionalProperties: false,
  properties: {
    sources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'status'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          status: { type: 'string', enum: ['ok', 'unchanged', 'failed'] },
          counts: { type: 'object', additionalProperties: false, properties: { inserted: COUNT, updated: COUNT, unchanged: COUNT, deleted: COUNT } },
          reason: { type: 'string', description: 'Why the source was unchanged or failed' },
        },
      },
    },
  },
} as const;

export const JOB_SCHEMA = {
  type: 'object',
  required: ['id', 'kind', 'state', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [ANALYZE_JOB, ADVISORY_SYNC_JOB] },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'], description: 'queued: waiting (also between attempts); failed: for good, see error' },
    reference: { type: 'string', description: 'analyze-image: the image' },
    platform: { type: 'string', description: 'analyze-image: the platform picked' },
    sources: { type: 'array', items: { type: 'string' }, description: 'advisory-sync: the sources it updates' },
    attempts: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    error: { type: 'string', description: 'Why the last attempt failed (when failed: why the job did)' },
    result: {
      description: 'When done. analyze-image: the stored image; advisory-sync: what each source did',
      anyOf: [ANALYZE_RESULT, SYNC_RESULT],
    },
  },
} as const;

const STATE: Record<string, string> = { ready: 'queued', retry: 'queued', active: 'running', done: 'done', failed: 'failed' };

/** The caller's job `id`, as JOB_SCHEMA shows it; a ScoutError 'not-found' otherwise. */
export async function jobView(app: FastifyInstance, orgId: string, id: string): Promise<Record<string, unknown>> {
  const row = await app.deps.jobs?.readJob(id, [ANALYZE_JOB, ADVISORY_SYNC_JOB]);
  const payload = row ? (JSON.parse(row.payload) as Partial<AnalyzePayload & AdvisorySyncPayload>) : undefined;
  // Another organisation's job is as unknown as one that never was.
  if (!row || payload?.orgId !== orgId) throw new ScoutError('not-found', `no job ${id}`);
  const iso = (ms: number | string | null) => (ms === null ? undefined : new Date(Number(ms)).toISOString());
  const finishedAt = iso(row.finished_at);
  return {
    id: row.id,
    kind: row.name,
    state: STATE[row.state] ?? row.state,
    ...(payload.reference ? { reference: payload.reference } : {}),
    ...(payload.platform ? { platform: payload.platform } : {}),
    ...(payload.sources ? { sources: payload.sources.map((s) => s.name) } : {}),
    attempts: row.attempts,
    createdAt: iso(row.created_at),
    ...(finishedAt ? { finishedAt } : {}),
    ...(row.last_error && row.state !== 'done' ? { error: row.last_error } : {}),
    ...(row.result && row.state === 'done' ? { result: JSON.parse(row.result) as unknown } : {}),
  };
}
