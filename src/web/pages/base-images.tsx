/** Base images the organisation's images are built on, with how many images use each. */
import { Empty, Pager, SevCounts, Status, type SeverityCounts } from '../components/common';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, type Page } from '../types';
import { useApi } from '../use-api';

export interface BaseImageUse {
  digest: string;
  repository?: string;
  tags: string[];
  catalog: boolean;
  layers: number;
  images: number;
  children: { digest: string; repository?: string; tags: string[] }[];
  vulnerabilities?: SeverityCounts;
}

export function BaseImages() {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<BaseImageUse>>(`/base-images${qs({ cursor, limit: 50 })}`);
  return (
    <>
      <h1>Base images</h1>
      <Status r={r}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No image of the organisation has a known base image yet (its own images or the public catalogue).</Empty>
          ) : (
            <>
              <div className="tablewrap">
                <table aria-label="base images">
                  <thead>
                    <tr>
                      <th>Base image</th>
                      <th>Source</th>
                      <th className="num">Layers</th>
                      <th>Its vulnerabilities (C H M L)</th>
                      <th className="num">Images on it</th>
                      <th>Used by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((b) => (
                      <tr key={b.digest}>
                        <td>{b.catalog ? imageName(b) : <Link to={imageHref(b.digest)}>{imageName(b)}</Link>}</td>
                        <td>{b.catalog ? 'public catalogue' : 'organisation'}</td>
                        <td className="num">{b.layers}</td>
                        <td>{b.vulnerabilities ? <SevCounts counts={b.vulnerabilities} /> : <span className="muted">not shown for catalogue images</span>}</td>
                        <td className="num">{b.images}</td>
                        <td>
                          {b.children.map((c) => (
                            <div key={c.digest}>
                              <Link to={imageHref(c.digest)}>{imageName(c)}</Link>
                            </div>
                          ))}
                          {b.images > b.children.length && <span className="muted">and {b.images - b.children.length} more</span>}
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
