/**
 * Every vulnerability in the organisation's images, worst first, with the packages it affects,
 * how many images, environments and running workloads, and its findings by VEX status. The VEX
 * filter (`vex` in the URL, the values the image's Vulnerabilities tab uses) asks the server.
 */
import { SevBadge, Status } from '../components/common';
import { PagedTable, type Column } from '../components/paged-table';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { Link, qs, useRoute } from '../router';
import { vulnHref, type Page, type VulnerabilitySummary } from '../types';
import { useApi } from '../use-api';
import { VEX_FILTERS, VexCounts, vexQuery } from '../components/vex-status';


const COLUMNS: Column<VulnerabilitySummary>[] = [
  {
    header: 'Vulnerability',
    cell: (v) => (
      <>
        <Link to={vulnHref(v.id)}>{v.id}</Link>
        {v.summary && <div className="muted">{v.summary}</div>}
      </>
    ),
  },
  { header: 'Severity', cell: (v) => <SevBadge level={v.severity} /> },
  { header: 'CVSS', className: 'num', cell: (v) => v.cvssScore?.toFixed(1) ?? '' },
  { header: 'EPSS', className: 'num', cell: (v) => (v.epss ? `${(v.epss.score * 100).toFixed(2)}%` : '') },
  { header: 'KEV', cell: (v) => (v.kev ? <span className="pill kev">KEV</span> : '') },
  { header: 'Fix', cell: (v) => (v.fixable ? <span className="pill ok">fix available</span> : <span className="muted">not fixed</span>) },
  { header: 'Packages', className: 'mono', cell: (v) => v.packages.join(', ') },
  { header: 'Images', className: 'num', cell: (v) => v.images },
  { header: 'Environments', className: 'num', cell: (v) => v.environments },
  { header: 'Workloads', className: 'num', cell: (v) => v.workloads },
  { header: 'VEX', cell: (v) => <VexCounts counts={v.vex} /> },
];

export function Vulnerabilities() {
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const severity = query.get('severity') ?? '';
  const fixable = query.get('fixable') ?? '';
  const kev = query.get('kev') ?? '';
  const vex = query.get('vex') ?? '';
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<VulnerabilitySummary>>(`/vulnerabilities${qs({ q, severity, fixable, kev, cursor, limit: 50 })}${vexQuery(vex)}`);
  return (
    <>
      <h1>Vulnerabilities</h1>
      <div className="toolbar" role="search">
        <FilterInput param="q" value={q} label="Filter vulnerabilities" placeholder="CVE, GHSA or package" />
        <FilterSelect param="severity" value={severity} label="Severity" options={[['', 'Any severity'], ['critical', 'Critical'], ['high', 'High'], ['medium', 'Medium'], ['low', 'Low'], ['negligible', 'Negligible'], ['unknown', 'Unknown']]} />
        <FilterSelect param="fixable" value={fixable} label="Fix" options={[['', 'Fixed or not'], ['true', 'With a fix'], ['false', 'Without a fix']]} />
        <FilterSelect param="kev" value={kev} label="KEV" options={[['', 'Exploited or not'], ['true', 'Known exploited (KEV)']]} />
        <FilterSelect param="vex" value={vex} label="VEX status" options={VEX_FILTERS.map(([v, label]) => [v, label])} />
      </div>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="vulnerabilities"
            page={page}
            columns={COLUMNS}
            rowKey={(v) => v.id}
            cursor={cursor}
            empty={q || severity || fixable || kev || vex ? 'No vulnerability matches these filters.' : "No vulnerabilities in the organisation's images."}
          />
        )}
      </Status>
    </>
  );
}
