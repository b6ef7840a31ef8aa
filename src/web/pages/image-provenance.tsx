/**
 * What an image's attestations say (from `GET /v1/images/DIGEST`): whether it came with
 * provenance and SBOM attestations, and the provenance facts the platform keeps: the base image
 * it names, the VCS source and revision, the Dockerfile, and the materials with their digests.
 */
import { Empty } from '../components/common';
import { Link } from '../router';
import { imageHref, type ImageDetail } from '../types';

const yesNo = (b: boolean | undefined) => (b === undefined ? <span className="muted">not reported</span> : b ? <span className="pill ok">yes</span> : <span className="pill bad">no</span>);

export function Provenance({ img }: { img: ImageDetail }) {
  const p = img.provenance;
  return (
    <>
      <section className="panel" aria-labelledby="att-h">
        <h2 id="att-h">Attestations</h2>
        <dl className="meta">
          <dt>SLSA provenance</dt>
          <dd>{yesNo(img.attestations?.provenance)}</dd>
          <dt>SBOM</dt>
          <dd>{yesNo(img.attestations?.sbom)}</dd>
        </dl>
      </section>
      {!p ? (
        <Empty>{img.attestations ? 'This image came without a provenance attestation.' : 'The push did not say whether this image has attestations (pushed by an older client or as an SBOM file).'}</Empty>
      ) : (
        <>
          <section className="panel" aria-labelledby="prov-h">
            <h2 id="prov-h">Build</h2>
            <dl className="meta">
              <dt>Base image</dt>
              <dd>
                {p.baseImage ? (
                  <>
                    {img.baseImage?.from === 'provenance' ? <Link to={imageHref(img.baseImage.digest)}>{p.baseImage.name}</Link> : p.baseImage.name}
                    {p.baseImage.digest && <div className="mono muted">{p.baseImage.digest}</div>}
                  </>
                ) : (
                  <span className="muted">not named</span>
                )}
              </dd>
              <dt>Source</dt>
              <dd className="mono">{p.vcs?.source ?? <span className="muted">not recorded</span>}</dd>
              <dt>Revision</dt>
              <dd className="mono">{p.vcs?.revision ?? <span className="muted">not recorded</span>}</dd>
              <dt>Dockerfile</dt>
              <dd className="mono">{p.dockerfile?.path ?? <span className="muted">not recorded</span>}</dd>
            </dl>
            {p.dockerfile?.content && <pre className="text" aria-label="Dockerfile">{p.dockerfile.content}</pre>}
          </section>
          <section className="panel" aria-labelledby="mat-h">
            <h2 id="mat-h">Materials</h2>
            {p.materials.length ? (
              <table aria-label="materials">
                <thead>
                  <tr>
                    <th>URI</th>
                    <th>Digest</th>
                  </tr>
                </thead>
                <tbody>
                  {p.materials.map((m, i) => (
                    <tr key={i}>
                      <td className="mono">{m.uri}</td>
                      <td className="mono">
                        {Object.entries(m.digest)
                          .map(([alg, hex]) => `${alg}:${hex}`)
                          .join(' ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty>No materials recorded.</Empty>
            )}
          </section>
        </>
      )}
    </>
  );
}
