/** Base images the organisation's images are built on, with how many images use each. */
import { SevCounts, Status } from '../components/common';
import { PagedTable, type Column } from '../components/paged-table';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, type BaseImageUse, type Page } from '../types';
import { useApi } from '../use-api';


const COLUMNS: Column<BaseImageUse>[] = [
  { header: 'Base image', cell: (b) => (b.catalog ? imageName(b) : <Link to={imageHref(b.digest)}>{imageName(b)}</Link>) },
  { header: 'Source', cell: (b) => (b.catalog ? 'public catalogue' : 'organisation') },
  { header: 'Layers', className: 'num', cell: (b) => b.layers },
  { header: 'Its vulnerabilities (C H M L)', cell: (b) => (b.vulnerabilities ? <SevCounts counts={b.vulnerabilities} /> : <span className="muted">not shown for catalogue images</span>) },
  { header: 'Images on it', className: 'num', cell: (b) => b.images },
  {
    header: 'Used by',
    cell: (b) => (
      <>
        {b.children.map((c) => (
          <div key={c.digest}>
            <Link to={imageHref(c.digest)}>{imageName(c)}</Link>
          </div>
        ))}
        {b.images > b.children.length && <span className="muted">and {b.images - b.children.length} more</span>}
      </>
    ),
  },
];

export function BaseImages() {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<BaseImageUse>>(`/base-images${qs({ cursor, limit: 50 })}`);
  return (
    <>
      <h1>Base images</h1>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="base images"
            page={page}
            columns={COLUMNS}
            rowKey={(b) => b.digest}
            cursor={cursor}
            empty="No image of the organisation has a known base image yet (its own images or the public catalogue)."
          />
        )}
      </Status>
    </>
  );
}
