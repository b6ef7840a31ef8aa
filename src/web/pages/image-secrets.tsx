/**
 * Leaked secrets `scout push --secrets` found in an image (`GET /v1/images/DIGEST/secrets`):
 * rule, where (file, environment variable, label or history), the layer and whether a later
 * layer deleted it (it still ships), the line, and the value masked as the server stored it.
 */
import { Empty, SevBadge, Status, when } from '../components/common';
import type { SecretScan } from '../types';
import { useApi } from '../use-api';

const SOURCE: Record<string, string> = { file: 'file', env: 'environment variable', label: 'label', history: 'build history' };

export function Secrets({ digest }: { digest: string }) {
  const r = useApi<{ scanned: boolean; scan?: SecretScan }>(`/images/${encodeURIComponent(digest)}/secrets`);
  return (
    <Status r={r}>
      {({ scanned, scan }) => {
        if (!scanned || !scan) return <Empty>This image's layers were not searched for secrets: push it with <code>scout push --secrets</code>.</Empty>;
        const skipped = scan.skipped.binary + scan.skipped.overCap + scan.skipped.packageTest;
        return (
          <>
            <p className="muted">
              Searched {when(scan.scannedAt)}
              {skipped ? `; not read: ${scan.skipped.binary} binary, ${scan.skipped.overCap} over the size cap, ${scan.skipped.packageTest} packages' own tests` : ''}
              {scan.unreadLayers.length ? `; layers not read: ${scan.unreadLayers.join(', ')}` : ''}
            </p>
            {scan.findings.length ? (
              <div className="tablewrap">
                <table aria-label="secrets">
                  <thead>
                    <tr>
                      <th>Secret</th>
                      <th>Severity</th>
                      <th>Where</th>
                      <th className="num">Layer</th>
                      <th className="num">Line</th>
                      <th>Value (masked)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {scan.findings.map((f, i) => (
                      <tr key={i}>
                        <td>
                          {f.title}
                          <div className="muted mono">{f.rule}</div>
                        </td>
                        <td>
                          <SevBadge level={f.severity} />
                        </td>
                        <td>
                          <span className="mono">{f.location}</span>
                          <div className="muted">{SOURCE[f.source] ?? f.source}</div>
                        </td>
                        <td className="num">
                          {f.layer?.index ?? ''}
                          {f.deletedIn && <div className="muted">deleted in layer {f.deletedIn.index}, still shipped</div>}
                        </td>
                        <td className="num">{f.line ?? ''}</td>
                        <td className="mono">{f.masked}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty>No secrets found.</Empty>
            )}
          </>
        );
      }}
    </Status>
  );
}
