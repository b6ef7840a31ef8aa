/**
 * Images: every stored image with OS, platform, last push, severity counts and base image.
 * Filtering, sorting and paging happen on the server; the URL holds all of it.
 */
import { Empty, Pager, SevCounts, Status, bytes, shortDigest, when } from '../components/common';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { SortHeader } from '../components/sortable';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, type ImageSummary, type Page } from '../types';
import { useApi } from '../use-api';

export const PAGE_SIZE = 50;

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
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{q || severity ? 'No image matches these filters.' : <>No images yet. Push one with <code>scout push IMAGE</code>.</>}</Empty>
          ) : (
            <>
              <div className="tablewrap">
                <table aria-label="images">
                  <thead>
                    <tr>
                      <SortHeader label="Image" col="name" sort={sort} order={order} defaultOrder="asc" />
                      <th>Digest</th>
                      <th>OS</th>
                      <th>Platform</th>
                      <SortHeader label="Last pushed" col="pushed" sort={sort} order={order} />
                      <SortHeader label="Packages" col="packages" sort={sort} order={order} className="num" />
                      <SortHeader label="Size" col="size" sort={sort} order={order} className="num" />
                      <SortHeader label="Vulnerabilities (C H M L)" col="vulnerabilities" sort={sort} order={order} />
                      <th>Base image</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((i) => (
                      <tr key={i.digest}>
                        <td>
                          <Link to={imageHref(i.digest)}>{imageName(i)}</Link>
                          {i.tags.length > 1 && <div className="muted">also {i.tags.slice(1).join(', ')}</div>}
                        </td>
                        <td className="mono">{shortDigest(i.digest)}</td>
                        <td>{[i.os.name, i.os.version].filter(Boolean).join(' ') || <span className="muted">unknown</span>}</td>
                        <td>{[i.platform.os, i.platform.architecture, i.platform.variant].filter(Boolean).join('/')}</td>
                        <td>{when(i.pushedAt)}</td>
                        <td className="num">{i.packageCount.toLocaleString('en')}</td>
                        <td className="num">{bytes(i.size.compressed)}</td>
                        <td>
                          <SevCounts counts={i.vulnerabilities} />
                        </td>
                        <td>{i.baseImage ? <Link to={imageHref(i.baseImage.digest)}>{imageName(i.baseImage)}</Link> : <span className="muted">none found</span>}</td>
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
