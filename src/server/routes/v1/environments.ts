/**
 * Environments: where the organisation's images run. Runtime integrations post a cluster's
 * whole inventory (workloads no longer in it are closed, never deleted); `scout environment
 * ENV IMAGE` records one image by hand.
 */
import type { FastifyInstance } from 'fastify';
import type { RuntimeInventory } from '../../../environments/inventory.js';
import { ScoutError } from '../../../util/errors.js';
import { activityOf, platformDb } from '../../activity.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

const envParam = { type: 'object', required: ['env'], properties: { env: { type: 'string', minLength: 1, maxLength: 63 } } };

export default async function environmentRoutes(app: FastifyInstance): Promise<void> {
  app.post('/integrations/runtime', {
    config: { scope: 'write' },
    bodyLimit: 32 * 1024 * 1024,
    schema: {
      tags: ['environments'],
      operationId: 'postRuntimeInventory',
      summary: "A cluster's running workloads and their images; what is missing since the last inventory is closed",
      body: { $ref: 'RuntimeInventory#' },
      response: {
        200: {
          type: 'object',
          required: ['environment', 'cluster', 'workloads', 'opened', 'changed', 'closed'],
          additionalProperties: false,
          properties: { environment: { type: 'string' }, cluster: { type: 'string' }, workloads: { type: 'integer' }, opened: { type: 'integer' }, changed: { type: 'integer' }, closed: { type: 'integer' } },
        },
        ...ERROR_REPLIES,
      },
    },
  }, async (req) => {
    const inv = req.body as RuntimeInventory;
    return activityOf(req).applyInventory({ ...inv, observedAt: inv.observedAt ?? new Date().toISOString() });
  });

  app.get('/environments', {
    schema: {
      tags: ['environments'],
      operationId: 'listEnvironments',
      summary: 'Environments with what runs in them now, by name, a page at a time',
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'EnvironmentPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => activityOf(req).listEnvironments(req.query as { limit?: number; cursor?: string }));

  app.get('/environments/:env', {
    schema: {
      tags: ['environments'],
      operationId: 'environmentWorkloads',
      summary: 'Workloads of an environment: running now, or with history=true every period (a workload changing image or gone has an endedAt)',
      params: envParam,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 2000 }, history: { type: 'boolean', default: false } } },
      response: { 200: { $ref: 'WorkloadPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { env } = req.params as { env: string };
    const q = req.query as { limit?: number; cursor?: string; history?: boolean };
    return activityOf(req).environmentWorkloads(env, { ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}), history: q.history === true });
  });

  app.post('/environments/:env/images', {
    config: { scope: 'write' },
    schema: {
      tags: ['environments'],
      operationId: 'setEnvironmentImage',
      summary: 'Record that an image (a stored digest, or repository:tag of a stored image) runs in the environment, replacing that repository\'s previous image there',
      params: envParam,
      body: { type: 'object', required: ['image'], additionalProperties: false, properties: { image: { type: 'string', minLength: 1, maxLength: 1000 } } },
      response: { 201: { $ref: 'Workload#' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const { env } = req.params as { env: string };
    const { image } = req.body as { image: string };
    const db = platformDb(req.server.deps.platform);
    const orgId = req.caller.org.id;
    // A digest (…@sha256:… or bare), else repository:tag of a stored image.
    const digest = /sha256:[0-9a-f]{64}$/.exec(image)?.[0];
    let row;
    if (digest) {
      row = await db.selectFrom('images as i').leftJoin('repositories as r', 'r.id', 'i.repository_id').select(['i.digest', 'r.name as repository']).where('i.org_id', '=', orgId).where('i.digest', '=', digest).executeTakeFirst();
    } else {
      const at = image.lastIndexOf(':');
      const [repo, tag] = at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
      row = await db
        .selectFrom('tags as t')
        .innerJoin('repositories as r', 'r.id', 't.repository_id')
        .innerJoin('images as i', 'i.id', 't.image_id')
        .select(['i.digest', 'r.name as repository'])
        .where('t.org_id', '=', orgId)
        .where('r.name', '=', repo)
        .where('t.name', '=', tag)
        .where('t.until_at', 'is', null)
        .executeTakeFirst();
    }
    if (!row) throw new ScoutError('not-found', `no stored image ${image}: push it first (scout push)`);
    const w = await activityOf(req).setEnvironmentImage(env, { ref: image, repository: row.repository ?? row.digest, digest: row.digest });
    return reply.status(201).send(w);
  });

  app.get('/vulnerabilities/:id/workloads', {
    schema: {
      tags: ['vulnerabilities'],
      operationId: 'vulnerabilityWorkloads',
      summary: 'Workloads running now an image with an open finding of this vulnerability (any of its ids), by environment, cluster, namespace and name, a page at a time',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'WorkloadPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return activityOf(req).workloadsWithVulnerability(id, req.query as { limit?: number; cursor?: string });
  });
}
