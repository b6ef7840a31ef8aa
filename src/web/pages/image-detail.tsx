/**
 * One image: everything stored about it, in tabs (the tab, search and page are in the URL).
 * Overview: the metadata our data-handling page lists, the base image and the recommended
 * other tags of its repository. Layers: in order
 * with sizes and the command that made each. Packages: every SBOM field, searchable.
 * Vulnerabilities: grouped by package, with each finding's VEX status (filterable). Policy: results, violations and history. Provenance: what
 * the attestations say. Secrets: what `scout push --secrets` found. Compare: against another
 * image of the organisation.
 */
import type { ReactNode } from 'react';
import { Empty, Pager, SevBadge, SevCards, Status, bytes, shortDigest, when } from '../components/common';
import { FilterInput, FilterSelect } from '../components/filter-input';
import { VEX_FILTERS, VexStatus, vexQuery } from '../components/vex-status';
import { TabNav } from '../components/tab-nav';
import { PagedTable, type Column } from '../components/paged-table';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, packageHref, vulnHref, type Finding, type ImageDetail as Detail, type Layer, type Package, type Page } from '../types';
import { useApi } from '../use-api';
import { BaseRecommendations } from './base-recommendations';
import { Compare } from './compare';
import { ImagePolicyView } from './image-policy';
import { Provenance } from './image-provenance';
import { Secrets } from './image-secrets';

const PACKAGE_PAGE_SIZE = 100;

const TABS: [string, string][] = [
  ['overview', 'Overview'],
  ['layers', 'Layers'],
  ['packages', 'Packages'],
  ['vulnerabilities', 'Vulnerabilities'],
  ['policy', 'Policy'],
  ['provenance', 'Provenance'],
  ['secrets', 'Secrets'],
  ['compare', 'Compare'],
];

export function ImageDetail({ digest }: { digest: string }) {
  const { query } = useRoute();
  const tab = query.get('tab') ?? 'overview';
  // The compare target stays in the URL while other tabs are open, so Compare comes back to it.
  const to = query.get('to') ?? undefined;
  const r = useApi<Detail>(`/images/${encodeURIComponent(digest)}`);
  return (
    <Status r={r}>
      {(img) => (
        <>
          <h1>{imageName(img)}</h1>
          <p className="muted mono">{img.digest}</p>
          <TabNav label="image sections" current={tab} tabs={TABS.map(([id, label]) => ({ id, label, href: `/images/${encodeURIComponent(digest)}${qs({ tab: id === 'overview' ? undefined : id, to })}` }))} />
          {tab === 'overview' && <Overview img={img} />}
          {tab === 'layers' && <Layers img={img} />}
          {tab === 'packages' && <Packages digest={digest} />}
          {tab === 'vulnerabilities' && <Vulnerabilities digest={digest} img={img} />}
          {tab === 'policy' && <ImagePolicyView digest={digest} />}
          {tab === 'provenance' && <Provenance img={img} />}
          {tab === 'secrets' && <Secrets digest={digest} />}
          {tab === 'compare' && <Compare img={img} />}
        </>
      )}
    </Status>
  );
}

function Row({ k, children }: { k: string; children: ReactNode }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{children ?? <span className="muted">–</span>}</dd>
    </>
  );
}

function Overview({ img }: { img: Detail }) {
  const m = img.metadata;
  const labels = Object.entries(m.labels ?? {});
  return (
    <>
      <SevCards counts={img.vulnerabilities} label="this image's vulnerabilities by severity" />
      <div className="grid">
        <section className="panel" aria-labelledby="meta-h">
          <h2 id="meta-h">Image</h2>
          <dl className="meta">
            <Row k="Reference">{m.reference}</Row>
            <Row k="Created">{when(m.created)}</Row>
            <Row k="Manifest digest">
              <code>{m.digest}</code>
            </Row>
            {m.indexDigest && (
              <Row k="Index digest">
                <code>{m.indexDigest}</code>
              </Row>
            )}
            <Row k="Config digest">
              <code>{m.configDigest}</code>
            </Row>
            <Row k="OS">{[m.os.prettyName ?? [m.os.name, m.os.version].filter(Boolean).join(' '), `(${m.os.type})`].filter(Boolean).join(' ')}</Row>
            <Row k="Architecture">{[m.platform.architecture, m.platform.variant].filter(Boolean).join('/')}</Row>
            <Row k="Registry">{m.registry ? `${m.registry.url} (${m.registry.type})` : undefined}</Row>
            <Row k="Size">
              {bytes(m.size.compressed)} compressed{m.size.uncompressed ? `, ${bytes(m.size.uncompressed)} unpacked` : ''}
            </Row>
            <Row k="Packages">{img.packageCount.toLocaleString('en')}</Row>
            <Row k="Pushed">{when(img.pushedAt)}</Row>
            <Row k="Last seen">{when(img.lastSeenAt)}</Row>
            <Row k="Exposed ports">{m.exposedPorts.length ? m.exposedPorts.join(', ') : undefined}</Row>
            <Row k="User">{m.user}</Row>
            <Row k="Working dir">{m.workingDir}</Row>
            <Row k="Entrypoint">{m.entrypoint && <code>{JSON.stringify(m.entrypoint)}</code>}</Row>
            <Row k="Cmd">{m.cmd && <code>{JSON.stringify(m.cmd)}</code>}</Row>
          </dl>
        </section>
        <section className="panel" aria-labelledby="base-h">
          <h2 id="base-h">Base image</h2>
          {img.baseImage ? (
            <dl className="meta">
              <Row k="Image">
                <Link to={imageHref(img.baseImage.digest)}>{imageName(img.baseImage)}</Link>
              </Row>
              <Row k="Tags">{img.baseImage.tags.join(', ') || undefined}</Row>
              <Row k="Digest">
                <code>{img.baseImage.digest}</code>
              </Row>
              <Row k="Layers">{img.baseImage.layers !== undefined ? `${img.baseImage.layers} of this image's ${img.layerCount} layers` : undefined}</Row>
              <Row k="Found in">{img.baseImage.layers === undefined ? 'not stored on this server' : img.baseImage.catalog ? 'the public catalogue' : "the organisation's images"}</Row>
              <Row k="Known from">{img.baseImage.from === 'provenance' ? `the image's provenance${img.baseImage.name ? ` (${img.baseImage.name})` : ''}` : 'shared layers'}</Row>
            </dl>
          ) : (
            <Empty>No stored image shares a prefix of this image's layers.</Empty>
          )}
        </section>
      </div>
      <section className="panel" aria-labelledby="recs-h">
        <h2 id="recs-h">Base image recommendations</h2>
        <BaseRecommendations digest={img.digest} />
      </section>
      <section className="panel" aria-labelledby="env-h">
        <h2 id="env-h">Environment variables</h2>
        {m.env.length ? (
          <table aria-label="environment variables">
            <tbody>
              {m.env.map((e, i) => (
                <tr key={i}>
                  <td className="mono">{e.name}</td>
                  <td className="mono">{e.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>None.</Empty>
        )}
      </section>
      <section className="panel" aria-labelledby="labels-h">
        <h2 id="labels-h">Labels</h2>
        {labels.length ? (
          <table aria-label="labels">
            <tbody>
              {labels.map(([k, v]) => (
                <tr key={k}>
                  <td className="mono">{k}</td>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>None.</Empty>
        )}
      </section>
    </>
  );
}

/** The layer table's columns; `base` is how many of the bottom layers the base image accounts for. */
function layerColumns(base: number): Column<Layer>[] {
  return [
    { header: '#', className: 'num', cell: (l) => l.position },
    { header: 'Digest', className: 'mono', cell: (l) => <span title={`diff_id ${l.diffId}`}>{shortDigest(l.digest)}</span> },
    { header: 'Compressed', className: 'num', cell: (l) => bytes(l.size) },
    { header: 'Unpacked', className: 'num', cell: (l) => bytes(l.uncompressedSize) },
    { header: 'Created by', className: 'mono', cell: (l) => l.createdBy ?? <span className="muted">no history entry</span> },
    { header: 'From', cell: (l) => (l.position < base ? <span className="pill">base image</span> : <span className="pill ok">this image</span>) },
  ];
}

/** The image's layers, bottom first, 100 a page (most images have far fewer; some have hundreds). */
function Layers({ img }: { img: Detail }) {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<Layer>>(`/images/${encodeURIComponent(img.digest)}/layers${qs({ cursor, limit: 100 })}`);
  return (
    <Status r={r}>
      {(page) => <PagedTable label="layers" page={page} columns={layerColumns(img.baseImage?.layers ?? 0)} rowKey={(l) => String(l.position)} cursor={cursor} empty="No layers stored." />}
    </Status>
  );
}

function licenseText(p: Package): string {
  return p.licenses.map((l) => l.spdx ?? l.name).filter(Boolean).join(', ');
}

const PACKAGE_COLUMNS: Column<Package>[] = [
  {
    header: 'Package',
    cell: (p) => (
      <>
        <Link to={packageHref(p.purl.replace(/@[^?#]*/, ''))}>{p.namespace ? `${p.namespace}/${p.name}` : p.name}</Link>
        <div className="muted mono">{p.purl}</div>
      </>
    ),
  },
  { header: 'Version', className: 'mono', cell: (p) => p.version },
  { header: 'Type', cell: (p) => p.type },
  { header: 'License', cell: (p) => licenseText(p) || <span className="muted">none stated</span> },
  { header: 'Layer', className: 'num', cell: (p) => p.introducedLayer?.index ?? '' },
  { header: 'Path', className: 'mono', cell: (p) => p.locations[0]?.path },
  { header: 'Dependency', cell: (p) => p.relationship ?? '' },
  { header: 'Owner', className: 'mono', cell: (p) => p.ownedBy ?? '' },
];

/** The image's packages, searched and paged by the server (an image can hold thousands). */
function Packages({ digest }: { digest: string }) {
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const cursor = query.get('cursor') ?? '';
  const limit = Number(query.get('limit')) || PACKAGE_PAGE_SIZE;
  const r = useApi<Page<Package>>(`/images/${encodeURIComponent(digest)}/packages${qs({ q, cursor, limit })}`);
  return (
    <>
      <div className="toolbar" role="search">
        <FilterInput param="q" value={q} label="Search packages" placeholder="name, PURL, license or path" />
      </div>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="packages"
            page={page}
            columns={PACKAGE_COLUMNS}
            rowKey={(p, i) => `${i}:${p.id}`}
            cursor={cursor}
            empty={q ? 'No package matches.' : 'No packages were found in this image.'}
          />
        )}
      </Status>
    </>
  );
}

function Vulnerabilities({ digest, img }: { digest: string; img: Detail }) {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const vex = query.get('vex') ?? '';
  // The VEX filter asks the server (`vex=` repeated): paging stays the server's.
  const r = useApi<Page<Finding>>(`/images/${encodeURIComponent(digest)}/findings${qs({ cursor, limit: 500 })}${vexQuery(vex)}`);
  return (
    <>
      <SevCards counts={img.vulnerabilities} label="this image's vulnerabilities by severity" />
      <div className="toolbar" role="search">
        <FilterSelect param="vex" value={vex} label="VEX status" options={VEX_FILTERS.map(([v, label]) => [v, label])} />
      </div>
      <Status r={r}>
        {(page) => {
          if (page.items.length === 0) return <Empty>{vex ? 'No vulnerability of this image has that VEX status.' : "No known vulnerabilities in this image's packages."}</Empty>;
          const groups = new Map<string, Finding[]>();
          for (const f of page.items) groups.set(f.purl, [...(groups.get(f.purl) ?? []), f]);
          return (
            <>
              {[...groups].map(([purl, fs]) => (
                <section className="panel" key={purl} aria-label={`${fs[0]!.packageName} ${fs[0]!.packageVersion}`}>
                  <h3>
                    {fs[0]!.packageName} <span className="muted mono">{fs[0]!.packageVersion}</span> <span className="pill">{fs[0]!.packageType}</span>
                  </h3>
                  <div className="muted mono">{purl}</div>
                  <table aria-label={`vulnerabilities of ${fs[0]!.packageName}`}>
                    <thead>
                      <tr>
                        <th>Vulnerability</th>
                        <th>Severity</th>
                        <th className="num">CVSS</th>
                        <th className="num">EPSS</th>
                        <th>KEV</th>
                        <th>Fixed in</th>
                        <th>Status</th>
                        <th>VEX</th>
                        <th>First seen</th>
                      </tr>
                    </thead>
                    <tbody>
                      {fs.map((f) => (
                        <tr key={f.vulnerabilityId}>
                          <td>
                            <Link to={vulnHref(f.vulnerabilityId)}>{f.vulnerabilityId}</Link>
                            {f.summary && <div className="muted">{f.summary}</div>}
                          </td>
                          <td>
                            <SevBadge level={f.severity} />
                          </td>
                          <td className="num">{f.cvssScore?.toFixed(1) ?? ''}</td>
                          <td className="num">{f.epss ? `${(f.epss.score * 100).toFixed(2)}%` : ''}</td>
                          <td>{f.kev ? <span className="pill kev">KEV</span> : ''}</td>
                          <td className="mono">{f.fixedVersions.length ? f.fixedVersions.join(', ') : <span className="muted">not fixed</span>}</td>
                          <td>{f.status}</td>
                          <td>
                            <VexStatus vex={f.vex} />
                          </td>
                          <td>{when(f.firstSeenAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              ))}
              <Pager next={page.next} cursor={cursor} shown={page.items.length} />
            </>
          );
        }}
      </Status>
    </>
  );
}
