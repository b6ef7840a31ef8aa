/**
 * The image detail's base image recommendations: the other tags of the base image's repository,
 * ranked as `scout recommendations` ranks them. POST /v1/recommendations takes only the image's
 * layer diff_ids (bottom first), which the layers route gives; it reads and stores nothing.
 */
import { Empty, Status, bytes } from '../components/common';
import { Link } from '../router';
import { imageHref, imageName, type Layer, type Recommendations } from '../types';
import { useAllPages } from '../use-all-pages';
import { useApi } from '../use-api';

export function BaseRecommendations({ digest }: { digest: string }) {
  // The whole chain, every page of it: a base image is matched on its full prefix.
  const layers = useAllPages<Layer>(`/images/${encodeURIComponent(digest)}/layers`);
  return <Status r={layers}>{({ items }) => <Ranked layerDigests={[...items].sort((a, b) => a.position - b.position).map((l) => l.diffId)} />}</Status>;
}

function Ranked({ layerDigests }: { layerDigests: string[] }) {
  const r = useApi<Recommendations>('/recommendations', { layerDigests });
  return (
    <Status r={r}>
      {({ base, recommendations }) =>
        !base ? (
          <Empty>No base image is known from this image's layers, so there is nothing to recommend.</Empty>
        ) : recommendations.length === 0 ? (
          <Empty>No other tag of {imageName(base)}'s repository is stored.</Empty>
        ) : (
          <div className="tablewrap">
            <table aria-label="base image recommendations">
              <thead>
                <tr>
                  <th>Base image</th>
                  <th className="num">Fixable critical</th>
                  <th className="num">Fixable high</th>
                  <th>OS</th>
                  <th className="num">Size</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>
                    <Link to={imageHref(base.digest)}>{imageName(base)}</Link> <span className="pill">now</span>
                  </td>
                  <td className="num">{base.current.fixable.critical}</td>
                  <td className="num">{base.current.fixable.high}</td>
                  <td>{[base.current.osFamily, base.current.osVersion].filter(Boolean).join(' ')}</td>
                  <td className="num">{bytes(base.current.size)}</td>
                  <td className="muted">the current base image</td>
                </tr>
                {recommendations.map((c) => (
                  <tr key={c.digest}>
                    <td>
                      <Link to={imageHref(c.digest)}>{imageName(c)}</Link> {c.better && <span className="pill ok">better</span>}
                    </td>
                    <td className="num">{c.fixable.critical}</td>
                    <td className="num">{c.fixable.high}</td>
                    <td>{[c.osFamily, c.osVersion].filter(Boolean).join(' ')}</td>
                    <td className="num">{bytes(c.size)}</td>
                    <td>{c.reasons.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Status>
  );
}
