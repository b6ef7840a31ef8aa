/**
 * Settings: the organisation's API tokens, webhooks with their delivery log, advisory sources
 * and their freshness. Tokens and webhooks page 50 at a time, each list with its own cursor in
 * the URL (`cursor` is the delivery log's); the few advisory sources come whole, every page.
 */
import { Empty, Status, when } from '../components/common';
import { PagedTable, type Column } from '../components/paged-table';
import { Link, qs, useRoute } from '../router';
import type { Page, Token, Webhook, WebhookDelivery } from '../types';
import { useAllPages } from '../use-all-pages';
import { useApi } from '../use-api';


interface Source {
  name: string;
  records: number;
  importedAt: string;
  ageDays: number;
  stale: boolean;
}

/** URL parameters of the tokens' and the webhooks' cursors. */
const TOKENS_CURSOR = 'tokensCursor';
const WEBHOOKS_CURSOR = 'webhooksCursor';

const TOKEN_COLUMNS: Column<Token>[] = [
  {
    header: 'Name',
    cell: (t) => (
      <>
        {t.name} <span className="muted mono">{t.id}</span>
      </>
    ),
  },
  { header: 'Scope', cell: (t) => t.scope },
  { header: 'Created', cell: (t) => when(t.createdAt) },
  { header: 'Last used', cell: (t) => when(t.lastUsedAt) || <span className="muted">never</span> },
  { header: 'State', cell: (t) => (t.revokedAt ? <span className="pill bad">revoked {when(t.revokedAt)}</span> : <span className="pill ok">active</span>) },
];

export function Settings() {
  const { query } = useRoute();
  const tokensCursor = query.get(TOKENS_CURSOR) ?? '';
  const tokens = useApi<Page<Token>>(`/tokens${qs({ cursor: tokensCursor, limit: 50 })}`);
  const sources = useAllPages<Source, { items: Source[]; maxAgeDays: number }>('/advisory-sources');
  return (
    <>
      <h1>Settings</h1>
      <section className="panel" aria-labelledby="tokens-h">
        <h2 id="tokens-h">API tokens</h2>
        <Status r={tokens}>{(page) => <PagedTable label="API tokens" page={page} columns={TOKEN_COLUMNS} rowKey={(t) => t.id} cursor={tokensCursor} param={TOKENS_CURSOR} empty="No tokens." />}</Status>
        <p className="muted">
          Create and revoke tokens with <code>scout server token create|revoke</code>.
        </p>
      </section>
      <section className="panel" aria-labelledby="hooks-h">
        <h2 id="hooks-h">Webhooks</h2>
        <Webhooks />
      </section>
      <section className="panel" aria-labelledby="sources-h">
        <h2 id="sources-h">Advisory sources</h2>
        <Status r={sources}>
          {({ items, maxAgeDays }) =>
            items.length === 0 ? (
              <Empty>
                The server's advisory database is empty: <code>scout server db update</code> or <code>scout server db import PATH</code>.
              </Empty>
            ) : (
              <table aria-label="advisory sources">
                <thead>
                  <tr>
                    <th>Source</th>
                    <th className="num">Records</th>
                    <th>Imported</th>
                    <th>Freshness</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr key={s.name}>
                      <td>{s.name}</td>
                      <td className="num">{s.records.toLocaleString('en')}</td>
                      <td>{when(s.importedAt)}</td>
                      <td>
                        {s.stale ? (
                          <span className="pill bad">
                            {s.ageDays} days old (over {maxAgeDays})
                          </span>
                        ) : (
                          <span className="pill ok">{s.ageDays === 0 ? 'today' : `${s.ageDays} days old`}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Status>
      </section>
    </>
  );
}

const HOOK_COLUMNS: Column<Webhook>[] = [
  { header: 'URL', className: 'mono', cell: (h) => h.url },
  { header: 'Format', cell: (h) => h.format },
  { header: 'Events', cell: (h) => h.kinds?.join(', ') ?? 'every kind' },
  { header: 'Signed', cell: (h) => (h.signed ? 'yes' : 'no') },
  { header: 'Created', cell: (h) => when(h.createdAt) },
  { header: 'Deliveries', cell: (h) => <Link to={`/settings${qs({ webhook: h.id })}`} aria-label={`delivery log of ${h.url}`}>delivery log</Link> },
];

const DELIVERY_COLUMNS: Column<WebhookDelivery>[] = [
  { header: 'When', cell: (d) => when(d.createdAt) },
  { header: 'Event', className: 'mono', cell: (d) => d.eventId },
  { header: 'Attempt', className: 'num', cell: (d) => d.attempt },
  { header: 'State', cell: (d) => <span className={`pill ${d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'bad' : ''}`}>{d.state}</span> },
  { header: 'HTTP', className: 'num', cell: (d) => d.statusCode ?? '' },
  { header: 'Error', cell: (d) => d.error ?? '' },
  { header: 'Took', className: 'num', cell: (d) => `${d.durationMs} ms` },
  { header: 'Next attempt', cell: (d) => when(d.nextAttemptAt) },
];

/** The organisation's webhooks, and with `?webhook=ID` that webhook's delivery log. */
function Webhooks() {
  const { query } = useRoute();
  const selected = query.get('webhook');
  const cursor = query.get('cursor') ?? '';
  const hooksCursor = query.get(WEBHOOKS_CURSOR) ?? '';
  const hooks = useApi<Page<Webhook>>(`/webhooks${qs({ cursor: hooksCursor, limit: 50 })}`);
  const log = useApi<Page<WebhookDelivery>>(selected ? `/webhooks/${encodeURIComponent(selected)}/deliveries${qs({ cursor, limit: 50 })}` : undefined);
  return (
    <>
      <Status r={hooks}>
        {(page) => (
          <PagedTable
            label="webhooks"
            page={page}
            columns={HOOK_COLUMNS}
            rowKey={(h) => h.id}
            cursor={hooksCursor}
            param={WEBHOOKS_CURSOR}
            empty={
              <>
                No webhooks: <code>POST /v1/webhooks</code> with an admin token adds one.
              </>
            }
          />
        )}
      </Status>
      {selected && (
        <>
          <h3>Delivery log</h3>
          <Status r={log}>{(page) => <PagedTable label="deliveries" page={page} columns={DELIVERY_COLUMNS} rowKey={(d) => d.id} cursor={cursor} empty="Nothing delivered yet." />}</Status>
        </>
      )}
    </>
  );
}
