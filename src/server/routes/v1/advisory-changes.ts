/**
 * POST /v1/advisories (admin): OSV records (one, an array, or `{ "vulns": [...] }`) into the
 * server's advisory database, merged (nothing else is deleted); the packages they name are then
 * re-matched by a `rematch` job, which writes findings and events.
 * POST /v1/advisories/sync (admin): a sync of the server's configured sources now, as the
 * scheduled one does, as an `advisory-sync` job the caller follows with GET /v1/jobs/{id}.
 */
import type { FastifyInstance } from 'fastify';
import { ImportReport } from '../../../advisories/import/report.js';
import { osvFromDocument } from '../../../advisories/import/osv.js';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { JOB_SCHEMA, jobView } from '../../job-view.js';

export default async function advisoryRoutes(app: FastifyInstance): Promise<void> {
  app.post('/advisories', {
    config: { scope: 'admin' },
    schema: {
      tags: ['advisories'],
      operationId: 'postAdvisories',
      summary: 'Add or change OSV advisories; the stored packages they name are re-matched',
      querystring: { type: 'object', additionalProperties: false, properties: { source: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', default: 'api' } } },
      body: { anyOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' }, maxItems: 10000 }] },
      response: {
        202: {
          type: 'object',
          required: ['inserted', 'updated', 'unchanged', 'skipped'],
          additionalProperties: false,
          properties: {
            inserted: { type: 'integer' },
            updated: { type: 'integer' },
            unchanged: { type: 'integer' },
            skipped: { type: 'integer' },
            skippedReasons: { type: 'array', items: { type: 'string' } },
            rematchJob: { type: 'string', description: 'The re-match job queued for the changed records.' },
          },
        },
        ...ERROR_REPLIES,
        503: { $ref: 'Error#' },
      },
    },
  }, async (req, reply) => {
    const jobs = req.server.deps.jobs;
    if (!jobs) throw new ScoutError('store-no-jobs', 'this server runs no job queue');
    const source = (req.query as { source: string }).source;
    const report = new ImportReport('request body');
    const records = [...osvFromDocument(JSON.stringify(req.body), source, report, 'body')];
    if (!records.length) throw new ScoutError('bad-advisories', `no valid OSV record in the body${report.samples.length ? `: ${report.samples[0].reason}: ${report.samples[0].detail}` : ''}`);
    const { counts, rematchJob } = await jobs.ingestAdvisories(records, source);
    return reply.status(202).send({
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.unchanged,
      skipped: report.skipped,
      ...(report.samples.length ? { skippedReasons: report.samples.map((s) => `${s.where}: ${s.reason}: ${s.detail}`) } : {}),
      ...(rematchJob ? { rematchJob } : {}),
    });
  });

  app.post('/advisories/sync', {
    config: { scope: 'admin' },
    schema: {
      tags: ['advisories'],
      operationId: 'syncAdvisories',
      summary: 'Sync the server\'s advisory database now from its configured sources (those of scout db update, through the server\'s --advisory-mirror), as the scheduled sync does: what changed is re-matched. Answers 202 with the advisory-sync job (the one already waiting, if this organisation asked before it started); follow it with GET /v1/jobs/{id}.',
      response: { 202: JOB_SCHEMA, ...ERROR_REPLIES, 503: { $ref: 'Error#' } },
    },
  }, async (req, reply) => {
    const jobs = req.server.deps.jobs;
    if (!jobs) throw new ScoutError('store-no-jobs', 'this server runs no job queue: advisory syncs are not available');
    const sources = await (req.server.deps.advisorySources ?? configuredSources)();
    if (!sources.length) throw new ScoutError('bad-request', 'the server has no advisory source enabled (sources.json disables them all): nothing to sync');
    const id = await jobs.enqueueAdvisorySync(req.caller.org.id, sources);
    return reply.status(202).send(await jobView(app, req.caller.org.id, id));
  });
}

/** The enabled sources of `scout db update` as this process sees them (sources.json, SCOUT_ADVISORY_MIRROR). */
async function configuredSources() {
  const { resolveSources } = await import('../../../advisories/update/sources.js');
  return resolveSources({ env: process.env }).filter((s) => s.enabled);
}
