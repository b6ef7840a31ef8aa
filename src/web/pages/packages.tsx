/**
 * Packages across the organisation (name, type, versions, how many images hold them), and,
 * with `?purl=`, where one package is used.
 */
import { Empty, Pager, SevBadge, Status } from '../components/common';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, packageHref, type Page, type Usage } from '../types';
import { useApi } from '../use-api';

export interface PackageName {
  purl: string;
  type: string;
  namespace?: string;
  name: string;
  versions: string[];
  images: number;
}

const TYPES: [string, string][] = [['', 'Every type'], ...['deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget', 'generic'].map((t): [string, string] => [t, t])];

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
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{q || type ? 'No package matches these filters.' : "No packages in the organisation's images yet."}</Empty>
          ) : (
            <>
              <div className="tablewrap">
                <table aria-label="packages">
                  <thead>
                    <tr>
                      <th>Package</th>
                      <th>Type</th>
                      <th>Versions</th>
                      <th className="num">Images</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((p) => (
                      <tr key={p.purl}>
                        <td>
                          <Link to={packageHref(p.purl)}>{p.namespace ? `${p.namespace}/${p.name}` : p.name}</Link>
                        </td>
                        <td>{p.type}</td>
                        <td className="mono">{p.versions.join(', ')}</td>
                        <td className="num">{p.images}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager next={page.next} cursor={cursor} shown={page.items.length} />
            </>
          )
        }
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
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No image of the organisation holds this package.</Empty>
          ) : (
            <>
              <div className="tablewrap">
                <table aria-label="images using this package">
                  <thead>
                    <tr>
                      <th>Image</th>
                      <th>Version</th>
                      <th>PURL</th>
                      <th>Vulnerability</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((u, i) => (
                      <tr key={`${u.digest} ${u.purl} ${i}`}>
                        <td>
                          <Link to={imageHref(u.digest, 'packages')}>{imageName(u)}</Link>
                        </td>
                        <td className="mono">{u.packageVersion}</td>
                        <td className="mono">{u.purl}</td>
                        <td>
                          {u.vulnerabilityId ? (
                            <>
                              {u.vulnerabilityId} {u.severity && <SevBadge level={u.severity} />}
                            </>
                          ) : (
                            ''
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager next={page.next} cursor={cursor} shown={page.items.length} />
            </>
          )
        }
      </Status>
    </>
  );
}
