/**
 * POST /v1/advisories (admin): OSV records (one, an array, or `{ "vulns": [...] }`) into the
 * server's advisory database, merged (nothing else is deleted); the packages they name are then
 * re-matched by a `rematch` job, which writes findings and events.
 */
import type { FastifyInstance } from 'fastify';
import { ImportReport } from '../../../advisories/import/report.js';
import { osvFromDocument } from '../../../advisories/import/osv.js';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

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
}
