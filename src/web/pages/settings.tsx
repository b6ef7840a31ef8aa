/** Settings: the organisation's API tokens, webhooks with their delivery log, advisory sources and their freshness. */
import { Empty, Status, when } from '../components/common';
import { useApi } from '../use-api';

interface Token {
  id: string;
  name: string;
  scope: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

interface Source {
  name: string;
  records: number;
  importedAt: string;
  ageDays: number;
  stale: boolean;
}

export function Settings() {
  const tokens = useApi<{ items: Token[] }>('/tokens');
  const sources = useApi<{ items: Source[]; maxAgeDays: number }>('/advisory-sources');
  return (
    <>
      <h1>Settings</h1>
      <section className="panel" aria-labelledby="tokens-h">
        <h2 id="tokens-h">API tokens</h2>
        <Status r={tokens}>
          {({ items }) =>
            items.length === 0 ? (
              <Empty>No tokens.</Empty>
            ) : (
              <table aria-label="API tokens">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Scope</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((t) => (
                    <tr key={t.id}>
                      <td>
                        {t.name} <span className="muted mono">{t.id}</span>
                      </td>
                      <td>{t.scope}</td>
                      <td>{when(t.createdAt)}</td>
                      <td>{when(t.lastUsedAt) || <span className="muted">never</span>}</td>
                      <td>{t.revokedAt ? <span className="pill bad">revoked {when(t.revokedAt)}</span> : <span className="pill ok">active</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Status>
        <p className="muted">
          Create and revoke tokens with <code>scout server token create|revoke</code>.
        </p>
      </section>
      <section className="panel" aria-labelledby="hooks-h">
        <h2 id="hooks-h">Webhooks</h2>
        <Empty>This server does not deliver webhooks yet; they arrive with the continuous platform.</Empty>
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
