import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readClusterInventory } from '../../src/environments/kubernetes.js';
import { digestFromImageId } from '../../src/environments/inventory.js';
import { owned, pod, startKubeApi, type KubeState } from '../helpers/kube-api-server.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { scoutAsync } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestServer } from '../helpers/platform-server.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const d = (c: string) => `sha256:${c.repeat(64)}`;

/** A cluster with every owner chain the inventory resolves, and things it must leave out. */
function cluster(): KubeState {
  return {
    replicaSets: [
      owned('ReplicaSet', 'shop', 'api-7d9f8c6b5', { kind: 'Deployment', name: 'api' }),
      owned('ReplicaSet', 'shop', 'api-5c6b4d7f9', { kind: 'Deployment', name: 'api' }),
      owned('ReplicaSet', 'legacy', 'legacy-rs'),
    ],
    jobs: [owned('Job', 'ops', 'nightly-28912345', { kind: 'CronJob', name: 'nightly' }), owned('Job', 'ops', 'migrate')],
    pods: [
      // A Deployment mid-rollout: two ReplicaSets, two digests; one pod with a sidecar.
      pod('shop', 'api-7d9f8c6b5-x2x7k', [{ name: 'api', image: 'ghcr.io/acme/api:1.4', imageID: `ghcr.io/acme/api@${d('a')}` }, { name: 'envoy', image: 'envoyproxy/envoy:v1.31', imageID: `docker.io/envoyproxy/envoy@${d('e')}` }], { owner: { kind: 'ReplicaSet', name: 'api-7d9f8c6b5' } }),
      pod('shop', 'api-7d9f8c6b5-q9r4m', [{ name: 'api', image: 'ghcr.io/acme/api:1.4', imageID: `ghcr.io/acme/api@${d('a')}` }, { name: 'envoy', image: 'envoyproxy/envoy:v1.31', imageID: `docker.io/envoyproxy/envoy@${d('e')}` }], { owner: { kind: 'ReplicaSet', name: 'api-7d9f8c6b5' } }),
      pod('shop', 'api-5c6b4d7f9-h5b2n', [{ name: 'api', image: 'ghcr.io/acme/api:1.5', imageID: `docker-pullable://ghcr.io/acme/api@${d('b')}` }], { owner: { kind: 'ReplicaSet', name: 'api-5c6b4d7f9' } }),
      pod('monitoring', 'node-exporter-8k2pq', [{ name: 'exporter', image: 'prom/node-exporter:v1.8.2', imageID: `docker.io/prom/node-exporter@${d('c')}` }], { owner: { kind: 'DaemonSet', name: 'node-exporter' } }),
      pod('shop', 'db-0', [{ name: 'postgres', image: 'postgres:16', imageID: `docker.io/library/postgres@${d('f')}` }], { owner: { kind: 'StatefulSet', name: 'db' } }),
      pod('ops', 'nightly-28912345-7tq2c', [{ name: 'report', image: 'acme/report:2', imageID: `docker.io/acme/report@${d('1')}` }], { owner: { kind: 'Job', name: 'nightly-28912345' } }),
      pod('ops', 'migrate-lx8vd', [{ name: 'migrate', image: 'acme/migrate:2', imageID: `docker.io/acme/migrate@${d('2')}` }], { owner: { kind: 'Job', name: 'migrate' } }),
      pod('legacy', 'legacy-rs-abcde', [{ name: 'app', image: 'acme/legacy:0.9', imageID: `docker.io/acme/legacy@${d('3')}` }], { owner: { kind: 'ReplicaSet', name: 'legacy-rs' } }),
      // A bare pod whose runtime reports only a local image ID: no manifest digest to record.
      pod('default', 'debug', [{ name: 'sh', image: 'busybox:1.36', imageID: d('4') }]),
      // Not running: a finished job's pod and a pending one.
      pod('ops', 'nightly-28912000-aaaaa', [{ name: 'report', image: 'acme/report:1', imageID: `docker.io/acme/report@${d('5')}` }], { owner: { kind: 'Job', name: 'nightly-28912000' }, phase: 'Succeeded' }),
      pod('shop', 'api-pending', [{ name: 'api', image: 'ghcr.io/acme/api:1.6' }], { phase: 'Pending' }),
    ],
  };
}

test('digests come from containerStatuses imageID in every runtime spelling, never from a local image ID', () => {
  assert.equal(digestFromImageId(`docker-pullable://nginx@${d('a')}`), d('a'));
  assert.equal(digestFromImageId(`docker.io/library/nginx@${d('a')}`), d('a'));
  assert.equal(digestFromImageId(d('a')), undefined);
  assert.equal(digestFromImageId(''), undefined);
  assert.equal(digestFromImageId(`nginx@sha256:short`), undefined);
});

test('pods are read through the Kubernetes API and resolved to their workloads', async (t) => {
  const api = await startKubeApi(cluster());
  t.after(() => api.close());
  const kubeconfig = api.kubeconfig(tempDir());
  const inv = await readClusterInventory({ kubeconfig, environment: 'production' });
  assert.equal(inv.environment, 'production');
  assert.equal(inv.cluster, 'kind-local');
  assert.deepEqual(inv.workloads, [
    { namespace: 'default', name: 'debug', type: 'Pod', images: [{ ref: 'busybox:1.36' }] },
    { namespace: 'legacy', name: 'legacy-rs', type: 'ReplicaSet', images: [{ ref: 'acme/legacy:0.9', digest: d('3') }] },
    { namespace: 'monitoring', name: 'node-exporter', type: 'DaemonSet', images: [{ ref: 'prom/node-exporter:v1.8.2', digest: d('c') }] },
    { namespace: 'ops', name: 'nightly', type: 'CronJob', images: [{ ref: 'acme/report:2', digest: d('1') }] },
    { namespace: 'ops', name: 'migrate', type: 'Job', images: [{ ref: 'acme/migrate:2', digest: d('2') }] },
    {
      namespace: 'shop',
      name: 'api',
      type: 'Deployment',
      images: [
        { ref: 'envoyproxy/envoy:v1.31', digest: d('e') },
        { ref: 'ghcr.io/acme/api:1.4', digest: d('a') },
        { ref: 'ghcr.io/acme/api:1.5', digest: d('b') },
      ],
    },
    { namespace: 'shop', name: 'db', type: 'StatefulSet', images: [{ ref: 'postgres:16', digest: d('f') }] },
  ]);
  // Three list calls, each paged with a limit.
  assert.deepEqual(api.requests.map((r) => r.replace(/\?.*/, '')).sort(), ['GET /api/v1/pods', 'GET /apis/apps/v1/replicasets', 'GET /apis/batch/v1/jobs']);
  assert.ok(api.requests.every((r) => /[?&]limit=500\b/.test(r)), api.requests.join('\n'));
});

test('a list longer than a page is followed through its continue tokens; --namespace lists one namespace', async (t) => {
  const state = cluster();
  // 1,200 bare pods: three pages of 500.
  for (let i = 0; i < 1200; i++) state.pods.push(pod('batch', `p-${i}`, [{ name: 'c', image: 'busybox:1.36', imageID: `docker.io/library/busybox@${d('9')}` }]));
  const api = await startKubeApi(state);
  t.after(() => api.close());
  const kubeconfig = api.kubeconfig(tempDir());
  const inv = await readClusterInventory({ kubeconfig, environment: 'e', cluster: 'eu-1' });
  assert.equal(inv.cluster, 'eu-1');
  assert.equal(inv.workloads.filter((w) => w.namespace === 'batch').length, 1200);
  assert.equal(api.requests.filter((r) => r.startsWith('GET /api/v1/pods')).length, 3);
  api.requests.length = 0;
  const shop = await readClusterInventory({ kubeconfig, environment: 'e', namespace: 'shop' });
  assert.deepEqual(shop.workloads.map((w) => `${w.type}/${w.name}`), ['Deployment/api', 'StatefulSet/db']);
  assert.ok(api.requests.every((r) => r.includes('/namespaces/shop/')), api.requests.join('\n'));
});

test('a wrong token or a missing context is a clear error', async (t) => {
  const api = await startKubeApi(cluster(), 'the-right-token');
  t.after(() => api.close());
  const dir = tempDir();
  const kubeconfig = api.kubeconfig(dir);
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(kubeconfig, readFileSync(kubeconfig, 'utf8').replace('the-right-token', 'wrong'));
  await assert.rejects(readClusterInventory({ kubeconfig, environment: 'e' }), (e: Error) => e.message === `Kubernetes API at ${api.url}: HTTP 401: unauthorized: the kubeconfig's credentials were refused`);
  await assert.rejects(readClusterInventory({ kubeconfig, environment: 'e', context: 'nope' }), /has no context "nope"/);
  await assert.rejects(readClusterInventory({ kubeconfig: `${dir}/missing.yaml`, environment: 'e' }), /cannot read kubeconfig .*missing\.yaml/);
});

test('scout environment sync posts the inventory to the server, once or every --interval seconds', async (t) => {
  const api = await startKubeApi(cluster());
  const server = await startReceiver();
  t.after(() => Promise.all([api.close(), server.close()]));
  const kubeconfig = api.kubeconfig(tempDir());
  const base = server.url.replace(/\/hook$/, '');
  // The receiver answers 200 "ok": the CLI expects the server's JSON reply, so give it one.
  server.server.removeAllListeners('request');
  server.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      server.received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const inv = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ environment: inv.environment, cluster: inv.cluster, workloads: inv.workloads.length, opened: inv.workloads.length, changed: 0, closed: 0 }));
    });
  });
  const once = await scoutAsync(['environment', 'sync', '--kubeconfig', kubeconfig, '--environment', 'production', '--cluster', 'eu-1', '--server', base], { SCOUT_TOKEN: 'tok-1' });
  assert.equal(once.stderr, '');
  assert.equal(once.code, 0);
  assert.equal(once.stdout, 'production/eu-1: 7 workloads (7 new, 0 changed image, 0 gone)\n');
  assert.equal(server.received.length, 1);
  const [first] = server.received;
  assert.equal(first.path, '/v1/integrations/runtime');
  assert.equal(first.headers.authorization, 'Bearer tok-1');
  const inv = JSON.parse(first.body);
  assert.deepEqual(Object.keys(inv).sort(), ['cluster', 'environment', 'observedAt', 'workloads']);
  assert.equal(inv.workloads.length, 7);

  const looped = await scoutAsync(['env', 'sync', '--kubeconfig', kubeconfig, '--environment', 'production', '--interval', '1', '--server', base], { SCOUT_TOKEN: 'tok-1' }, { until: (out) => out.split('\n').length > 2 });
  assert.equal(looped.code, 0);
  assert.match(looped.stdout, /^\S+Z production\/kind-local: 7 workloads .*\n\S+Z production\/kind-local: 7 workloads/);
  assert.ok(server.received.length >= 3);

  const noToken = await scoutAsync(['environment', 'sync', '--kubeconfig', kubeconfig, '--environment', 'p', '--server', base], { SCOUT_TOKEN: '' });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /no API token: set SCOUT_TOKEN/);
});

test('scout environment sync against a real scout server: the cluster\'s workloads are recorded; a workload gone from the cluster is closed with its end time, not deleted', async (t) => {
  const state = cluster();
  const api = await startKubeApi(state);
  t.after(() => api.close());
  const kubeconfig = api.kubeconfig(tempDir());
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const sync = () => scoutAsync(['environment', 'sync', '--kubeconfig', kubeconfig, '--environment', 'production', '--server', server.url], { SCOUT_TOKEN: token });
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, path);
    return (await r.json()) as T;
  };
  type Row = { cluster: string; namespace: string; name: string; type: string; imageRef: string; imageDigest?: string; endedAt?: string };

  const first = await sync();
  assert.equal(first.code, 0, first.stderr);
  // Seven workloads; the Deployment mid-rollout runs three images: nine (workload, image) rows.
  assert.equal(first.stdout, 'production/kind-local: 7 workloads (7 new, 0 changed image, 0 gone)\n');
  const now = (await get<{ items: Row[] }>('/v1/environments/production')).items;
  assert.deepEqual([...new Set(now.map((w) => `${w.namespace}/${w.type}/${w.name}`))].sort(), ['default/Pod/debug', 'legacy/ReplicaSet/legacy-rs', 'monitoring/DaemonSet/node-exporter', 'ops/CronJob/nightly', 'ops/Job/migrate', 'shop/Deployment/api', 'shop/StatefulSet/db']);
  assert.ok(now.every((w) => w.cluster === 'kind-local' && !w.endedAt));
  assert.deepEqual(now.filter((w) => w.name === 'db').map((w) => [w.imageRef, w.imageDigest]), [['postgres:16', d('f')]]);

  // The DaemonSet is deleted from the cluster.
  state.pods = state.pods.filter((p) => (p as { metadata: { name: string } }).metadata.name !== 'node-exporter-8k2pq');
  const second = await sync();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, 'production/kind-local: 6 workloads (0 new, 0 changed image, 1 gone)\n');
  const after = (await get<{ items: Row[] }>('/v1/environments/production')).items;
  assert.ok(!after.some((w) => w.name === 'node-exporter'));
  const history = (await get<{ items: Row[] }>('/v1/environments/production?history=true')).items;
  const gone = history.filter((w) => w.name === 'node-exporter');
  assert.equal(gone.length, 1);
  assert.ok(gone[0].endedAt && Date.parse(gone[0].endedAt) <= Date.now(), JSON.stringify(gone[0]));
});
