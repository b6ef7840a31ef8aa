/**
 * Environments (where the organisation's images run, from runtime inventories or `scout
 * environment`), and with `?name=` one environment's workloads (cluster, namespace, workload
 * name and type) with the image each runs; `history=true` adds the periods that ended.
 */
import { Status, shortDigest, when } from '../components/common';
import { FilterSelect } from '../components/filter-input';
import { PagedTable, type Column } from '../components/paged-table';
import { Link, qs, useRoute } from '../router';
import { imageHref, type Environment, type Page, type Workload } from '../types';
import { useApi } from '../use-api';

const ENV_COLUMNS: Column<Environment>[] = [
  { header: 'Environment', cell: (e) => <Link to={`/environments${qs({ name: e.name })}`}>{e.name}</Link> },
  { header: 'Workloads', className: 'num', cell: (e) => e.workloads },
  { header: 'Images', className: 'num', cell: (e) => e.images },
  { header: 'Last change', cell: (e) => when(e.lastChangeAt) },
];

const WORKLOAD_COLUMNS: Column<Workload>[] = [
  { header: 'Cluster', cell: (w) => w.cluster },
  { header: 'Namespace', cell: (w) => w.namespace },
  { header: 'Workload', cell: (w) => w.name },
  { header: 'Type', cell: (w) => w.type },
  { header: 'Image', cell: (w) => (w.imageDigest ? <Link to={imageHref(w.imageDigest)}>{w.imageRef}</Link> : <span title="not a stored image">{w.imageRef}</span>) },
  { header: 'Digest', className: 'mono', cell: (w) => shortDigest(w.imageDigest) },
  { header: 'Since', cell: (w) => when(w.startedAt) },
  { header: 'Until', cell: (w) => (w.endedAt ? when(w.endedAt) : <span className="pill ok">running</span>) },
];

export function Environments() {
  const { query } = useRoute();
  const name = query.get('name');
  return name ? <EnvironmentWorkloads name={name} /> : <EnvironmentList />;
}

function EnvironmentList() {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const r = useApi<Page<Environment>>(`/environments${qs({ cursor, limit: 50 })}`);
  return (
    <>
      <h1>Environments</h1>
      <Status r={r}>
        {(page) => (
          <PagedTable
            label="environments"
            page={page}
            columns={ENV_COLUMNS}
            rowKey={(e) => e.name}
            cursor={cursor}
            empty={
              <>
                No environments recorded yet: <code>scout environment sync</code> posts a cluster's workloads, <code>POST /v1/environments/ENV/images</code> records one image.
              </>
            }
          />
        )}
      </Status>
    </>
  );
}

function EnvironmentWorkloads({ name }: { name: string }) {
  const { query } = useRoute();
  const cursor = query.get('cursor') ?? '';
  const history = query.get('history') ?? '';
  const r = useApi<Page<Workload>>(`/environments/${encodeURIComponent(name)}${qs({ cursor, history, limit: 50 })}`);
  return (
    <>
      <h1>{name}</h1>
      <p>
        <Link to="/environments">All environments</Link>
      </p>
      <div className="toolbar">
        <FilterSelect param="history" value={history} label="Workloads shown" options={[['', 'Running now'], ['true', 'With history (ended periods too)']]} />
      </div>
      <Status r={r}>
        {(page) => <PagedTable label="workloads" page={page} columns={WORKLOAD_COLUMNS} rowKey={(w) => w.id} cursor={cursor} empty="Nothing runs in this environment now." />}
      </Status>
    </>
  );
}
