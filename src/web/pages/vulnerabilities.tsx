/** Every vulnerability in the organisation's images, worst first, with how many images and packages it affects. */
import { Empty, Pager, SevBadge, Status } from '../components/common';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { Link, qs, useRoute } from '../router';
import { vulnHref, type Page } from '../types';
import { useApi } from '../use-api';

export interface VulnerabilitySummary {
  id: string;
  severity: string;
  cvssScore?: number;
  kev: boolean;
  epss?: { score: number; percentile: number };
  summary?: string;
  fixable: boolean;
  images: number;
  packages: string[];
  environments?: string[];
  workloads?: number;
}

export function Vulnerabilities() {
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const severity = query.get('severity') ?? '';
  const fixable = query.get('fixable') ?? '';
  const kev = query.get('kev') ?? '';
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<VulnerabilitySummary>>(`/vulnerabilities${qs({ q, severity, fixable, kev, cursor, limit: 50 })}`);
  return (
    <>
      <h1>Vulnerabilities</h1>
      <div className="toolbar" role="search">
        <FilterInput param="q" value={q} label="Filter vulnerabilities" placeholder="CVE, GHSA or package" />
        <FilterSelect param="severity" value={severity} label="Severity" options={[['', 'Any severity'], ['critical', 'Critical'], ['high', 'High'], ['medium', 'Medium'], ['low', 'Low'], ['negligible', 'Negligible'], ['unknown', 'Unknown']]} />
        <FilterSelect param="fixable" value={fixable} label="Fix" options={[['', 'Fixed or not'], ['true', 'With a fix'], ['false', 'Without a fix']]} />
        <FilterSelect param="kev" value={kev} label="KEV" options={[['', 'Exploited or not'], ['true', 'Known exploited (KEV)']]} />
      </div>
      <Status r={r}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{q || severity || fixable || kev ? 'No vulnerability matches these filters.' : "No vulnerabilities in the organisation's images."}</Empty>
          ) : (
            <>
              <div className="tablewrap">
                <table aria-label="vulnerabilities">
                  <thead>
                    <tr>
                      <th>Vulnerability</th>
                      <th>Severity</th>
                      <th className="num">CVSS</th>
                      <th className="num">EPSS</th>
                      <th>KEV</th>
                      <th>Fix</th>
                      <th>Packages</th>
                      <th className="num">Images</th>
                      <th>Environments</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((v) => (
                      <tr key={v.id}>
                        <td>
                          <Link to={vulnHref(v.id)}>{v.id}</Link>
                          {v.summary && <div className="muted">{v.summary}</div>}
                        </td>
                        <td>
                          <SevBadge level={v.severity} />
                        </td>
                        <td className="num">{v.cvssScore?.toFixed(1) ?? ''}</td>
                        <td className="num">{v.epss ? `${(v.epss.score * 100).toFixed(2)}%` : ''}</td>
                        <td>{v.kev ? <span className="pill kev">KEV</span> : ''}</td>
                        <td>{v.fixable ? <span className="pill ok">fix available</span> : <span className="muted">not fixed</span>}</td>
                        <td className="mono">{v.packages.join(', ')}</td>
                        <td className="num">{v.images}</td>
                        <td>{v.environments?.length ? v.environments.join(', ') : <span className="muted">–</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager next={page.next} cursor={cursor} shown={page.items.length} total={page.total} />
            </>
          )
        }
      </Status>
    </>
  );
}
