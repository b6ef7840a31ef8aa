/**
 * `scout webhook add|list|remove|test|deliveries`: the organisation's webhooks on the server
 * (/v1/webhooks). Adding, removing and testing need an admin token; the signing secret of a
 * json webhook is printed once, when it is added, as the server shows it only then.
 */
import type { Command } from 'commander';
import type { Webhook, WebhookDelivery } from '../../store/kysely/activity-store.js';
import { ScoutError } from '../../util/errors.js';
import { EVENT_KINDS } from '../../notify/events.js';
import { action, writeOutput } from '../common.js';
import { serverSubcommandLogin as login, withServerOptions as common, type ServerSubcommandOptions } from '../server-subcommand.js';

type Options = ServerSubcommandOptions;

export function register(program: Command): void {
  const webhook = program.command('webhook').description("the organisation's webhooks: where events are delivered");

  common(
    webhook
      .command('add')
      .argument('<url>', 'http(s) URL that receives a POST per event')
      .description('add a webhook; a json one is signed (HMAC-SHA256) with a secret printed once, now')
      .option('--slack', "post Slack's incoming-webhook format ({\"text\"}) instead of signed JSON")
      .option('--kind <kind...>', `only these event kinds (${EVENT_KINDS.join(', ')}); default: every kind`),
  ).action(
    action(async (url: string, o: Options & { slack?: boolean; kind?: string[] }) => {
      const l = await login(o);
      for (const k of o.kind ?? []) {
        if (!(EVENT_KINDS as readonly string[]).includes(k)) throw new ScoutError('bad-option', `--kind must be one of ${EVENT_KINDS.join(', ')}, not "${k}"`);
      }
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<{ webhook: Webhook; secret?: string }>(l, {
        method: 'POST',
        path: '/v1/webhooks',
        body: { url, format: o.slack ? 'slack' : 'json', ...(o.kind?.length ? { kinds: o.kind } : {}) },
      });
      if (o.format === 'json') return void (await writeOutput(JSON.stringify(body, null, 2)));
      const lines = [`added webhook ${body.webhook.id} → ${body.webhook.url} (${body.webhook.format}, ${body.webhook.kinds?.join(', ') ?? 'every event kind'})`];
      if (body.secret) lines.push(`signing secret (shown once; verify Scout-Signature with it):`, `  ${body.secret}`);
      await writeOutput(lines.join('\n'));
    }),
  );

  common(webhook.command('list').description("list the organisation's webhooks (never their secrets)")).action(
    action(async (o: Options) => {
      const l = await login(o);
      const { fetchAll } = await import('../server-client.js');
      // Paged by the server: every page, oldest first.
      const items = await fetchAll<Webhook>(l, '/v1/webhooks');
      if (o.format === 'json') return void (await writeOutput(JSON.stringify(items, null, 2)));
      if (!items.length) return void (await writeOutput('no webhooks (scout webhook add URL)'));
      const { table } = await import('../output/text.js');
      await writeOutput(table(items.map((w) => [w.id, w.format, w.signed ? 'yes' : 'no', w.kinds?.join(',') ?? 'all', w.createdAt.slice(0, 19).replace('T', ' '), w.url]), ['ID', 'FORMAT', 'SIGNED', 'KINDS', 'CREATED', 'URL']));
    }),
  );

  common(webhook.command('remove').alias('rm').argument('<id>', 'webhook id (from webhook list)').description('remove a webhook and its delivery log')).action(
    action(async (id: string, o: Options) => {
      const l = await login(o);
      const { callApi } = await import('../server-client.js');
      await callApi(l, { method: 'DELETE', path: `/v1/webhooks/${encodeURIComponent(id)}` });
      await writeOutput(o.format === 'json' ? JSON.stringify({ removed: id }) : `removed webhook ${id}`);
    }),
  );

  common(webhook.command('test').argument('<id>', 'webhook id').description('send a test event (image.pushed) now and show how the receiver answered; exit 1 if it failed')).action(
    action(async (id: string, o: Options) => {
      const l = await login(o);
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<{ ok: boolean; status?: number; durationMs: number; error?: string }>(l, { method: 'POST', path: `/v1/webhooks/${encodeURIComponent(id)}/test` });
      if (o.format === 'json') await writeOutput(JSON.stringify(body, null, 2));
      else await writeOutput(body.ok ? `delivered: HTTP ${body.status} in ${body.durationMs} ms` : `failed: ${body.error ?? `HTTP ${body.status}`} (${body.durationMs} ms)`);
      return body.ok ? 0 : 1;
    }),
  );

  common(webhook.command('deliveries').argument('<id>', 'webhook id').description("a webhook's delivery log, newest first").option('--limit <n>', 'at most this many attempts', '50')).action(
    action(async (id: string, o: Options & { limit: string }) => {
      const l = await login(o);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ScoutError('bad-option', `--limit must be 1 to 500, not "${o.limit}"`);
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<{ items: WebhookDelivery[] }>(l, { method: 'GET', path: `/v1/webhooks/${encodeURIComponent(id)}/deliveries`, query: { limit: String(limit) } });
      if (o.format === 'json') return void (await writeOutput(JSON.stringify(body.items, null, 2)));
      if (!body.items.length) return void (await writeOutput('no delivery attempts yet'));
      const { table } = await import('../output/text.js');
      await writeOutput(
        table(
          body.items.map((d) => [d.createdAt.slice(0, 19).replace('T', ' '), d.eventId, String(d.attempt), d.state, d.statusCode !== undefined ? String(d.statusCode) : '-', `${d.durationMs} ms`, d.error ?? (d.nextAttemptAt ? `next ${d.nextAttemptAt}` : '')]),
          ['AT', 'EVENT', 'ATTEMPT', 'STATE', 'STATUS', 'TOOK', 'ERROR'],
        ),
      );
    }),
  );
}
