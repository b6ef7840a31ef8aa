/**
 * Images: every stored image with OS, platform, last push, severity counts, policy verdict and
 * base image.
 * Filtering, sorting and paging happen on the server; the URL holds all of it.
 */
import { SevCounts, Status, bytes, shortDigest, when } from '../components/common';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { PagedTable, type Column } from '../components/paged-table';
import { PolicyStatus } from '../components/policy-status';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, type ImageSummary, type Page } from '../types';
import { useApi } from '../use-api';


export const PAGE_SIZE = 50;

const COLUMNS: Column<ImageSummary>[] = [
  {
    header: 'Image',
    sort: 'name',
    firstOrder: 'asc',
    cell: (i) => (
      <>
        <Link to={imageHref(i.digest)}>{imageName(i)}</Link>
        {i.tags.length > 1 && <div className="muted">also {i.tags.slice(1).join(', ')}</div>}
      </>
    ),
  },
  { header: 'Digest', className: 'mono', cell: (i) => shortDigest(i.digest) },
  { header: 'OS', cell: (i) => [i.os.name, i.os.version].filter(Boolean).join(' ') || <span className="muted">unknown</span> },
  { header: 'Platform', cell: (i) => [i.platform.os, i.platform.architecture, i.platform.variant].filter(Boolean).join('/') },
  { header: 'Last pushed', sort: 'pushed', cell: (i) => when(i.pushedAt) },
  { header: 'Packages', sort: 'packages', className: 'num', cell: (i) => i.packageCount.toLocaleString('en') },
  { header: 'Size', sort: 'size', className: 'num', cell: (i) => bytes(i.size.compressed) },
  { header: 'Vulnerabilities (C H M L)', sort: 'vulnerabilities', cell: (i) => <SevCounts counts={i.vulnerabilities} /> },
  {
    header: 'Policy',
    cell: (i) => (i.policy ? <span className="nowrap" title={`evaluated ${i.policy.evaluatedAt}`}><PolicyStatus status={i.policy.status} /> {i.policy.grade ?? ''}</span> : <span className="muted">not evaluated</span>),
  },
  { header: 'Base image', cell: (i) => (i.baseImage ? <Link to={imageHref(i.baseImage.digest)}>{imageName(i.baseImage)}</Link> : <span className="muted">none found</span>) },
];

export function Images() {
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const severity = query.get('severity') ?? '';
  const sort = query.get('sort') ?? 'pushed';
  const order = query.get('order') ?? 'desc';
  const cursor = query.get('cursor') ?? '';
  const limit = Number(query.get('limit')) || PAGE_SIZE;
  const r = useApi<Page<ImageSummary>>(`/images${qs({ q, severity, sort, order, cursor, limit })}`);
  return (
    <>
      <h1>Images</h1>
      <div className="toolbar" role="search">
        <FilterInput param="q" value={q} label="Filter images" placeholder="repository, tag, digest or OS" />
        <FilterSelect
          param="severity"
          value={severity}
          label="Severity"
          options={[
            ['', 'Any vulnerabilities'],
            ['critical', 'With critical'],
            ['high', 'With critical or high'],
            ['medium', 'With medium or worse'],
            ['none', 'Without vulnerabilities'],
          ]}
        />
      </div>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="images"
            page={page}
            columns={COLUMNS}
            rowKey={(i) => i.digest}
            cursor={cursor}
            sort={{ by: sort, order }}
            empty={q || severity ? 'No image matches these filters.' : <>No images yet. Push one with <code>scout push IMAGE</code>.</>}
          />
        )}
      </Status>
    </>
  );
}
