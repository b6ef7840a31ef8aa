/**
 * An image compared with another of the organisation (`GET /v1/images/DIGEST/compare?to=`):
 * pick any stored image from a server-side search (compare-picker.tsx), or give its digest. The
 * target is the URL's `to`, so a comparison can be shared as a link. What is "added" is in this
 * image and not in the other; "changed" goes from the other's version to this one's.
 */
import type { ReactNode } from 'react';
import { Empty, SevBadge, SevCounts, Status, bytes } from '../components/common';
import { Link, qs, useRoute } from '../router';
import { imageHref, imageName, packageHref, vulnHref, type BaseImage, type ComparedFinding, type ComparedPackage, type Comparison, type ImageDetail, type PackageChange } from '../types';
import { useApi } from '../use-api';
import { ComparePicker } from './compare-picker';

export function Compare({ img }: { img: ImageDetail }) {
  const { query } = useRoute();
  const to = query.get('to') ?? '';
  return (
    <>
      <ComparePicker img={img} to={to} />
      {to ? <Result digest={img.digest} to={to} /> : <Empty>Pick an image to compare {imageName(img)} with.</Empty>}
    </>
  );
}

function Result({ digest, to }: { digest: string; to: string }) {
  const r = useApi<Comparison>(`/images/${encodeURIComponent(digest)}/compare${qs({ to })}`);
  return (
    <Status r={r}>
      {(c) => (
        <>
          <p>
            <Link to={imageHref(digest, 'compare')} className="muted">
              clear
            </Link>{' '}
            ·{' '}
            <Link to={`${imageHref(to, 'compare')}&to=${encodeURIComponent(digest)}`}>the other way round</Link>
          </p>
          <Sides c={c} />
          <Findings c={c} />
          <Packages c={c} />
        </>
      )}
    </Status>
  );
}

function Sides({ c }: { c: Comparison }) {
  const delta = (a: number, b: number) => (a === b ? '±0' : a > b ? `+${a - b}` : `−${b - a}`);
  const sizeDelta = c.sizeDelta ? `${c.sizeDelta.compressed >= 0 ? '+' : '−'}${bytes(Math.abs(c.sizeDelta.compressed))}` : '';
  return (
    <div className="tablewrap">
      <table aria-label="the two images">
        <thead>
          <tr>
            <th />
            <th>This image</th>
            <th>Compared with</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Image</th>
            <td>{c.image.reference}</td>
            <td>{c.to.digest ? <Link to={imageHref(c.to.digest)}>{c.to.reference}</Link> : c.to.reference}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">OS</th>
            <td>{c.image.os}</td>
            <td>{c.to.os}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">Packages</th>
            <td className="num">{c.image.packages}</td>
            <td className="num">{c.to.packages}</td>
            <td className="num">{delta(c.image.packages, c.to.packages)}</td>
          </tr>
          <tr>
            <th scope="row">Vulnerabilities (C H M L)</th>
            <td>
              <SevCounts counts={c.image.vulnerabilities} />
            </td>
            <td>
              <SevCounts counts={c.to.vulnerabilities} />
            </td>
            <td>
              {c.findings.added.length} added, {c.findings.removed.length} removed, {c.findings.unchanged} unchanged
            </td>
          </tr>
          {c.baseImage && (
            <tr>
              <th scope="row">Base image</th>
              <td>{baseName(c.baseImage.image)}</td>
              <td>{baseName(c.baseImage.to)}</td>
              <td>
                <span className={`pill${c.baseImage.change === 'unchanged' || c.baseImage.change === 'none' ? '' : ' bad'}`} data-change={c.baseImage.change}>
                  {CHANGE_TEXT[c.baseImage.change]}
                </span>
              </td>
            </tr>
          )}
          <tr>
            <th scope="row">Size</th>
            <td className="num">{bytes(c.image.size?.compressed)}</td>
            <td className="num">{bytes(c.to.size?.compressed)}</td>
            <td className="num">{sizeDelta}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

const baseName = (b: BaseImage | null | undefined): ReactNode => (b ? <Link to={imageHref(b.digest)}>{b.repository ? imageName({ ...b, repository: b.repository }) : (b.name ?? b.digest)}</Link> : <span className="muted">none known</span>);

const CHANGE_TEXT: Record<NonNullable<Comparison['baseImage']>['change'], string> = {
  unchanged: 'unchanged',
  updated: 'updated (same repository)',
  replaced: 'replaced (another repository)',
  added: 'added (only this image has one)',
  removed: 'removed (only the other has one)',
  none: 'none known on either side',
};

const pkgLink = (p: { key: string; name: string; namespace?: string }) => <Link to={packageHref(p.key)}>{p.namespace ? `${p.namespace}/${p.name}` : p.name}</Link>;

function Packages({ c }: { c: Comparison }) {
  const { added, removed, changed, unchanged } = c.packages;
  return (
    <section className="panel" aria-labelledby="cmp-pkg-h">
      <h2 id="cmp-pkg-h">
        Packages <span className="muted">
          {added.length} added, {removed.length} removed, {changed.length} changed, {unchanged} unchanged
        </span>
      </h2>
      <PackageList label="packages added" items={added} empty="No package added." />
      <PackageList label="packages removed" items={removed} empty="No package removed." />
      <h3>Changed version</h3>
      {changed.length ? (
        <div className="tablewrap">
          <table aria-label="packages changed">
            <thead>
              <tr>
                <th>Package</th>
                <th>Type</th>
                <th>Was</th>
                <th>Now</th>
                <th>Direction</th>
              </tr>
            </thead>
            <tbody>
              {changed.map((p: PackageChange) => (
                <tr key={`${p.key}@${p.from}`}>
                  <td>{pkgLink(p)}</td>
                  <td>{p.type}</td>
                  <td className="mono">{p.from}</td>
                  <td className="mono">{p.to}</td>
                  <td>
                    <span className={`pill${p.direction === 'upgraded' ? ' ok' : p.direction === 'downgraded' ? ' bad' : ''}`}>{p.direction}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No package changed version.</p>
      )}
    </section>
  );
}

function PackageList({ label, items, empty }: { label: string; items: ComparedPackage[]; empty: string }) {
  return (
    <ListTable label={label} empty={empty} items={items} heads={['Package', 'Type', 'Version', 'PURL']}>
      {(p) => (
        <tr key={p.purl}>
          <td>{pkgLink(p)}</td>
          <td>{p.type}</td>
          <td className="mono">{p.version}</td>
          <td className="mono muted">{p.purl}</td>
        </tr>
      )}
    </ListTable>
  );
}

/** One list of the comparison: a heading and its table, or a line saying it is empty. */
function ListTable<T>({ label, items, empty, heads, children }: {
  label: string;
  items: T[];
  empty: string;
  heads: (string | { text: string; className: string })[];
  children: (item: T) => ReactNode;
}) {
  if (!items.length) return <p className="muted">{empty}</p>;
  return (
    <>
      <h3>{label[0]!.toUpperCase() + label.slice(1)}</h3>
      <div className="tablewrap">
        <table aria-label={label}>
          <thead>
            <tr>
              {heads.map((h) => (typeof h === 'string' ? <th key={h}>{h}</th> : <th key={h.text} className={h.className}>{h.text}</th>))}
            </tr>
          </thead>
          <tbody>{items.map(children)}</tbody>
        </table>
      </div>
    </>
  );
}

function Findings({ c }: { c: Comparison }) {
  return (
    <section className="panel" aria-labelledby="cmp-vuln-h">
      <h2 id="cmp-vuln-h">
        Vulnerabilities <span className="muted">
          {c.findings.added.length} added, {c.findings.removed.length} removed, {c.findings.unchanged} unchanged
        </span>
      </h2>
      <FindingList label="vulnerabilities added" items={c.findings.added} empty="No vulnerability added." />
      <FindingList label="vulnerabilities removed" items={c.findings.removed} empty="No vulnerability removed." />
    </section>
  );
}

function FindingList({ label, items, empty }: { label: string; items: ComparedFinding[]; empty: string }) {
  return (
    <ListTable label={label} empty={empty} items={items} heads={['Vulnerability', 'Severity', { text: 'CVSS', className: 'num' }, 'Package', 'Fixed in', 'KEV']}>
      {(f) => (
        <tr key={`${f.id} ${f.package.purl}`}>
          <td>
            <Link to={vulnHref(f.id)}>{f.id}</Link>
          </td>
          <td>
            <SevBadge level={f.severity} />
          </td>
          <td className="num">{f.score?.toFixed(1) ?? ''}</td>
          <td>
            {f.package.name} <span className="mono">{f.package.version}</span>
          </td>
          <td className="mono">{f.fixedVersions.length ? f.fixedVersions.join(', ') : <span className="muted">not fixed</span>}</td>
          <td>{f.kev ? <span className="pill kev">KEV</span> : ''}</td>
        </tr>
      )}
    </ListTable>
  );
}
