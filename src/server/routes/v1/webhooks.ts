/** Webhooks of the organisation (admin to change them) and each one's delivery log. */
import type { FastifyInstance } from 'fastify';
import type { EventKind, ScoutEvent } from '../../../notify/events.js';
import { postDelivery, renderDelivery, type WebhookFormat } from '../../../notify/webhook.js';
import { ScoutError } from '../../../util/errors.js';
import { uuidv7 } from '../../../util/uuid7.js';
import { activityOf, platformDb } from '../../activity.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { EVENT_KIND_ENUM } from '../../schemas/continuous.js';

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } };

export default async function webhookRoutes(app: FastifyInstance): Promise<void> {
  app.post('/webhooks', {
    config: { scope: 'admin' },
    schema: {
      tags: ['webhooks'],
      operationId: 'addWebhook',
      summary: 'Add a webhook; a json one gets a signing secret, shown only in this reply',
      body: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: {
          url: { type: 'string', minLength: 1, maxLength: 2000 },
          format: { type: 'string', enum: ['json', 'slack'], default: 'json' },
          kinds: { type: 'array', items: { type: 'string', enum: EVENT_KIND_ENUM }, maxItems: 10 },
        },
      },
      response: { 201: { type: 'object', required: ['webhook'], additionalProperties: false, properties: { webhook: { $ref: 'Webhook#' }, secret: { type: 'string' } } }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const b = req.body as { url: string; format: WebhookFormat; kinds?: EventKind[] };
    return reply.status(201).send(await activityOf(req).addWebhook(b));
  });

  app.get('/webhooks', {
    schema: {
      tags: ['webhooks'],
      operationId: 'listWebhooks',
      summary: "The organisation's webhooks (never their secrets), oldest first, a page at a time",
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'WebhookPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => activityOf(req).listWebhooks(req.query as { limit?: number; cursor?: string }));

  app.delete('/webhooks/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['webhooks'], operationId: 'removeWebhook', summary: 'Remove a webhook and its delivery log', params: idParam, response: { 204: { type: 'null' }, ...ERROR_REPLIES } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await activityOf(req).removeWebhook(id))) throw new ScoutError('not-found', `no webhook ${id}`);
    return reply.status(204).send();
  });

  app.get('/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'],
      operationId: 'webhookDeliveries',
      summary: 'Delivery attempts of a webhook, newest first',
      params: idParam,
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'WebhookDeliveryPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const page = await activityOf(req).deliveries(id, req.query as { limit?: number; cursor?: string });
    if (!page) throw new ScoutError('not-found', `no webhook ${id}`);
    return page;
  });

  app.post('/webhooks/:id/test', {
    config: { scope: 'admin' },
    schema: {
      tags: ['webhooks'],
      operationId: 'testWebhook',
      summary: 'Send a test event (kind image.pushed, image digest of zeros) now, and say how the receiver answered',
      params: idParam,
      response: {
        200: { type: 'object', required: ['ok', 'durationMs'], additionalProperties: false, properties: { ok: { type: 'boolean' }, status: { type: 'integer' }, durationMs: { type: 'integer' }, error: { type: 'string' } } },
        ...ERROR_REPLIES,
      },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const row = await platformDb(req.server.deps.platform).selectFrom('webhooks').selectAll().where('org_id', '=', req.caller.org.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw new ScoutError('not-found', `no webhook ${id}`);
    const event: ScoutEvent = { id: uuidv7(), kind: 'image.pushed', createdAt: new Date().toISOString(), image: { digest: `sha256:${'0'.repeat(64)}`, repository: 'scout/webhook-test', tags: ['test'] }, environments: [] };
    const req2 = renderDelivery({ url: row.url, format: row.format as WebhookFormat, ...(row.secret ? { secret: row.secret } : {}) }, event, { org: req.caller.org.name, attempt: 1 });
    const r = await postDelivery(row.url, req2, { timeoutMs: 10_000 });
    return { ok: r.ok, ...(r.status !== undefined ? { status: r.status } : {}), durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) };
  });
}
