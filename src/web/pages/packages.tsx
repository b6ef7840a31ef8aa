/**
 * Packages across the organisation (name, type, versions, how many images hold them), and,
 * with `?purl=`, where one package is used.
 */
import { SevBadge, Status } from '../components/common';
import { PagedTable, type Column } from '../components/paged-table';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, packageHref, type Page, type PackageName, type Usage } from '../types';
import { useApi } from '../use-api';


const TYPES: [string, string][] = [['', 'Every type'], ...['deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget', 'generic'].map((t): [string, string] => [t, t])];

const NAME_COLUMNS: Column<PackageName>[] = [
  { header: 'Package', cell: (p) => <Link to={packageHref(p.purl)}>{p.namespace ? `${p.namespace}/${p.name}` : p.name}</Link> },
  { header: 'Type', cell: (p) => p.type },
  { header: 'Versions', className: 'mono', cell: (p) => p.versions.join(', ') },
  { header: 'Images', className: 'num', cell: (p) => p.images },
];

const USAGE_COLUMNS: Column<Usage>[] = [
  { header: 'Image', cell: (u) => <Link to={imageHref(u.digest, 'packages')}>{imageName(u)}</Link> },
  { header: 'Version', className: 'mono', cell: (u) => u.packageVersion },
  { header: 'PURL', className: 'mono', cell: (u) => u.purl },
  {
    header: 'Vulnerability',
    cell: (u) =>
      u.vulnerabilityId ? (
        <>
          {u.vulnerabilityId} {u.severity && <SevBadge level={u.severity} />}
        </>
      ) : (
        ''
      ),
  },
];

export function Packages() {
  const { query } = useRoute();
  const purl = query.get('purl');
  return purl ? <PackageUsage purl={purl} /> : <PackageList />;
}

function PackageList() {
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const type = query.get('type') ?? '';
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<PackageName>>(`/package-names${qs({ q, type, cursor, limit: 100 })}`);
  return (
    <>
      <h1>Packages</h1>
      <div className="toolbar" role="search">
        <FilterInput param="q" value={q} label="Filter packages" placeholder="package name" />
        <FilterSelect param="type" value={type} label="Package type" options={TYPES} />
      </div>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="packages"
            page={page}
            columns={NAME_COLUMNS}
            rowKey={(p) => p.purl}
            cursor={cursor}
            empty={q || type ? 'No package matches these filters.' : "No packages in the organisation's images yet."}
          />
        )}
      </Status>
    </>
  );
}

function PackageUsage({ purl }: { purl: string }) {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<Usage>>(`/packages${qs({ purl, cursor, limit: 100 })}`);
  return (
    <>
      <h1>{purl}</h1>
      <p>
        <Link to="/packages">All packages</Link>
      </p>
      <h2>Used in</h2>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="images using this package"
            page={page}
            columns={USAGE_COLUMNS}
            rowKey={(u, i) => `${u.digest} ${u.purl} ${i}`}
            cursor={cursor}
            empty="No image of the organisation holds this package."
          />
        )}
      </Status>
    </>
  );
}
