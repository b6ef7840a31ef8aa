/**
 * Choosing the image to compare with. Any stored image of the organisation can be chosen: the
 * list is a server-side search (`GET /v1/images?q=`, ten at a time, paged with the API's
 * cursor), so nothing is loaded beyond the page shown, however many images there are. With
 * nothing typed it lists this image's repository, newest first. The search text and the page
 * are in the URL (`find`, `pick`), as the chosen image is (`to`); a digest can also be given.
 */
import { useState, type FormEvent } from 'react';
import { SevCounts, Status, shortDigest, when } from '../components/common';
import { FilterInput } from '../components/filter-input';
import { PagedTable, type Column } from '../components/paged-table';
import { Link, qs, setQuery, useRoute } from '../router';
import { imageName, type ImageDetail, type ImageSummary, type Page } from '../types';
import { useApi } from '../use-api';

/** Images per page of the picker: a short list above the comparison. */
export const PICK_PAGE = 10;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function ComparePicker({ img, to }: { img: ImageDetail; to: string }) {
  const { query } = useRoute();
  const find = query.get('find') ?? '';
  const pick = query.get('pick') ?? '';
  const text = find.trim();
  // Once an image is chosen the list steps aside for the comparison, until something is typed.
  const listed = !to || text !== '';
  const filter = text ? { q: text } : img.repository ? { repository: img.repository } : {};
  const r = useApi<Page<ImageSummary>>(listed ? `/images${qs({ ...filter, sort: 'pushed', order: 'desc', limit: PICK_PAGE, cursor: pick })}` : undefined);
  // The link keeps the rest of the URL (the search, the page) and sets the target.
  const compareHref = (digest: string) => {
    const u = new URLSearchParams(query);
    u.set('to', digest);
    return `/images/${encodeURIComponent(img.digest)}?${u.toString()}`;
  };
  const columns: Column<ImageSummary>[] = [
    { header: 'Image', cell: (i) => imageName(i) },
    { header: 'Digest', className: 'mono', cell: (i) => shortDigest(i.digest) },
    { header: 'Last pushed', cell: (i) => when(i.pushedAt) },
    { header: 'Vulnerabilities (C H M L)', cell: (i) => <SevCounts counts={i.vulnerabilities} /> },
    {
      header: 'Compare',
      cell: (i) =>
        i.digest === img.digest ? (
          <span className="muted">this image</span>
        ) : i.digest === to ? (
          <span className="muted">compared below</span>
        ) : (
          <Link to={compareHref(i.digest)} aria-label={`Compare with ${imageName(i)}`}>
            Compare
          </Link>
        ),
    },
  ];
  return (
    <section className="panel" aria-labelledby="cmp-pick-h">
      <h2 id="cmp-pick-h">Compare with</h2>
      <div className="toolbar" role="search">
        <FilterInput param="find" value={find} label="Find an image to compare with" placeholder="repository, tag, digest or OS" reset={['pick']} />
        <DigestForm />
      </div>
      {listed && (
        <Status r={r}>
          {(page) => (
            <PagedTable
              label="images to compare with"
              page={page}
              columns={columns}
              rowKey={(i) => i.digest}
              cursor={pick}
              param="pick"
              empty={text ? `No image matches “${text}”.` : 'No image yet.'}
            />
          )}
        </Status>
      )}
    </section>
  );
}

/** Any image by digest (a reference with @sha256:… is cut down to the digest). */
function DigestForm() {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const d = text.trim().replace(/^.*@(?=sha256:)/, '');
    if (!DIGEST.test(d)) return setError('A digest is sha256: followed by 64 hexadecimal characters.');
    setError('');
    setQuery({ to: d });
  };
  return (
    <>
      <form onSubmit={submit} className="toolbar inline" aria-label="compare with a digest">
        <input type="text" aria-label="Digest of the image to compare with" placeholder="or a digest: sha256:…" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Compare</button>
      </form>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
