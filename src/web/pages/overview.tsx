/**
 * Overview: the organisation's open vulnerabilities by severity (all images, and per
 * environment), their trend, the images with the most fixable critical and high findings,
 * and the latest events.
 */
import { Empty, SevBar, SevCards, SevCounts, Status, when } from '../components/common';
import { TrendChart } from '../components/trend-chart';
import { Link } from '../router';
import { imageHref, imageName, vulnHref, type OverviewData, type ScoutEvent } from '../types';
import { useApi } from '../use-api';

export function Overview() {
  const r = useApi<OverviewData>('/overview');
  return (
    <>
      <h1>Overview</h1>
      <Status r={r}>
        {(o) =>
          o.images === 0 ? (
            <Empty>
              No images yet. Push one with <code>scout push IMAGE</code>.
            </Empty>
          ) : (
            <>
              <p className="muted">
                {o.images.toLocaleString('en')} images in {o.repositories.toLocaleString('en')} repositories; open vulnerabilities (one per image, package and vulnerability):
              </p>
              <SevCards counts={o.vulnerabilities} label="open vulnerabilities by severity across the organisation" />
              <div className="grid">
                <section className="panel" aria-labelledby="trend-h">
                  <h2 id="trend-h">Trend</h2>
                  {o.trend.length > 1 ? <TrendChart points={o.trend} /> : <Empty>The trend starts once findings span more than a day.</Empty>}
                </section>
                <section className="panel" aria-labelledby="top-h">
                  <h2 id="top-h">Most fixable critical and high</h2>
                  {o.topImages.length ? (
                    <table aria-label="images with the most fixable critical and high vulnerabilities">
                      <thead>
                        <tr>
                          <th>Image</th>
                          <th className="num">Fixable critical</th>
                          <th className="num">Fixable high</th>
                          <th>All (C H M L)</th>
                        </tr>
                      </thead>
                      <tbody>
                        {o.topImages.map((i) => (
                          <tr key={i.digest}>
                            <td>
                              <Link to={imageHref(i.digest, 'vulnerabilities')}>{imageName(i)}</Link>
                            </td>
                            <td className="num">{i.fixable.critical}</td>
                            <td className="num">{i.fixable.high}</td>
                            <td>
                              <SevCounts counts={i.vulnerabilities} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : (
                    <Empty>No critical or high vulnerability has a fix.</Empty>
                  )}
                </section>
              </div>
              <div className="grid">
                <section className="panel" aria-labelledby="env-h">
                  <h2 id="env-h">By environment</h2>
                  {o.environments.length ? (
                    <table aria-label="vulnerabilities by environment">
                      <tbody>
                        {o.environments.map((e) => (
                          <tr key={e.name}>
                            <td>
                              <Link to={`/environments?name=${encodeURIComponent(e.name)}`}>{e.name}</Link>
                            </td>
                            <td className="num">{e.images} images</td>
                            <td>
                              <SevCounts counts={e.vulnerabilities} />
                            </td>
                            <td style={{ width: '30%' }}>
                              <SevBar counts={e.vulnerabilities} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : (
                    <Empty>
                      No environments recorded yet (<code>scout environment sync</code>).
                    </Empty>
                  )}
                </section>
                <section className="panel" aria-labelledby="events-h">
                  <h2 id="events-h">Latest events</h2>
                  {o.events.length ? (
                    <ul aria-label="latest events" className="events">
                      {o.events.map((e) => (
                        <EventItem key={e.id} e={e} />
                      ))}
                    </ul>
                  ) : (
                    <Empty>No events yet: they come when a new advisory changes what affects an image.</Empty>
                  )}
                </section>
              </div>
            </>
          )
        }
      </Status>
    </>
  );
}

const EVENT_TEXT: Record<string, string> = {
  'vulnerability.new': 'new',
  'vulnerability.fixed': 'fixed',
  'vulnerability.withdrawn': 'withdrawn',
  'image.pushed': 'pushed',
  'policy.changed': 'policy',
};

/** One event: when, what, which vulnerability in which image, and where that image runs. */
function EventItem({ e }: { e: ScoutEvent }) {
  const envs = e.environments.map((x) => x.name);
  return (
    <li>
      <span className="muted">{when(e.createdAt)}</span> <span className="pill">{EVENT_TEXT[e.kind] ?? e.kind}</span>{' '}
      {e.vulnerability && (
        <>
          <Link to={vulnHref(e.vulnerability.id)}>{e.vulnerability.id}</Link> ({e.vulnerability.severity}) in{' '}
        </>
      )}
      <Link to={imageHref(e.image.digest)}>{imageName({ repository: e.image.repository, tags: e.image.tags, digest: e.image.digest })}</Link>
      {envs.length > 0 && <span className="muted"> · runs in {envs.join(', ')}</span>}
    </li>
  );
}
