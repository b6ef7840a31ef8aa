/**
 * An image's policy results (`GET /v1/images/DIGEST/policy`): the verdict and health score, each
 * policy with its status, violations and fix, and the history of changes with what caused each.
 */
import { Empty, Status, when } from '../components/common';
import { PolicyStatus } from '../components/policy-status';
import type { ImagePolicy, PolicyHistoryEntry, PolicyResult } from '../types';
import { useApi } from '../use-api';

const TRIGGER: Record<PolicyHistoryEntry['trigger'], string> = { push: 'push', rematch: 'new advisory data (re-match)', 'policy-config': 'policy configuration changed', vex: 'VEX statements changed' };

export function ImagePolicyView({ digest }: { digest: string }) {
  const r = useApi<{ current: ImagePolicy | null; history: PolicyHistoryEntry[] }>(`/images/${encodeURIComponent(digest)}/policy`);
  return (
    <Status r={r}>
      {({ current, history }) =>
        current ? (
          <>
            <section className="panel" aria-labelledby="pol-h">
              <h2 id="pol-h">
                Policies <PolicyStatus status={current.status} /> <span className="muted">health {current.grade ?? 'not graded'}{current.score !== null ? ` (${current.score}%)` : ''}</span>
              </h2>
              <p className="muted">
                {current.health.passed} passed, {current.health.failed} failed, {current.health.unknown} unknown{current.health.errors ? `, ${current.health.errors} errors` : ''}; evaluated {when(current.evaluatedAt)}
              </p>
              <div className="tablewrap">
                <table aria-label="policy results">
                  <thead>
                    <tr>
                      <th>Policy</th>
                      <th>Status</th>
                      <th className="num">Violations</th>
                      <th className="num">Weight</th>
                      <th>Why unknown</th>
                    </tr>
                  </thead>
                  <tbody>
                    {current.results.map((p) => (
                      <tr key={p.id}>
                        <td>
                          {p.violations.length ? <a href={`#policy-${p.id}`}>{p.title}</a> : p.title}
                          <div className="muted mono">{p.id}</div>
                        </td>
                        <td>
                          <PolicyStatus status={p.status} />
                        </td>
                        <td className="num">{p.violations.length}</td>
                        <td className="num">{p.weight}</td>
                        <td className="muted">{p.reason ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            {current.results.filter((p) => p.violations.length).map((p) => (
              <Violations key={p.id} p={p} />
            ))}
            <History history={history} />
          </>
        ) : (
          <Empty>This image's policies have not been evaluated yet.</Empty>
        )
      }
    </Status>
  );
}

function Violations({ p }: { p: PolicyResult }) {
  return (
    <section className="panel" id={`policy-${p.id}`} aria-label={`violations of ${p.title}`}>
      <h3>
        {p.title} <PolicyStatus status={p.status} />
      </h3>
      <p>
        <strong>Fix:</strong> {p.fix}
      </p>
      <table aria-label={`${p.title} violations`}>
        <thead>
          <tr>
            <th>Subject</th>
            <th>Detail</th>
            <th>Fix</th>
          </tr>
        </thead>
        <tbody>
          {p.violations.map((v, i) => (
            <tr key={i}>
              <td className="mono">{v.subject}</td>
              <td>{v.detail}</td>
              <td>{v.fix ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Newest first; each entry says which policies moved since the one before it. */
function History({ history }: { history: PolicyHistoryEntry[] }) {
  return (
    <section className="panel" aria-labelledby="pol-hist-h">
      <h2 id="pol-hist-h">History</h2>
      <table aria-label="policy history">
        <thead>
          <tr>
            <th>When</th>
            <th>Cause</th>
            <th>Verdict</th>
            <th>Health</th>
            <th>What moved</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h, i) => {
            const before = new Map((history[i + 1]?.results ?? []).map((r) => [r.id, r.status]));
            const moved = history[i + 1] ? h.results.filter((r) => before.get(r.id) !== r.status).map((r) => `${r.id}: ${before.get(r.id) ?? 'new'} → ${r.status}`) : ['first evaluation'];
            return (
              <tr key={`${h.evaluatedAt} ${i}`}>
                <td>{when(h.evaluatedAt)}</td>
                <td>{TRIGGER[h.trigger] ?? h.trigger}</td>
                <td>
                  <PolicyStatus status={h.status} />
                </td>
                <td>
                  {h.grade ?? '–'}
                  {h.score !== null ? ` (${h.score}%)` : ''}
                </td>
                <td>{moved.join('; ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
