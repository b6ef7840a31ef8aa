/**
 * A local HTTP server answering the Kubernetes API list calls `scout environment sync` makes
 * (pods, ReplicaSets, Jobs; all namespaces or one), with List objects shaped as a real API
 * server returns them, Bearer-token checked, paged by `limit` / `continue` as the API does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KubeState {
  pods: object[];
  replicaSets: object[];
  jobs: object[];
}

export interface KubeApiServer {
  url: string;
  token: string;
  state: KubeState;
  requests: string[];
  /** Writes a kubeconfig for this server (context `test`, cluster `kind-local`) into dir. */
  kubeconfig(dir: string): string;
  close(): Promise<void>;
  server: Server;
}

const ROUTES: { re: RegExp; key: keyof KubeState; kind: string; apiVersion: string }[] = [
  { re: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/, key: 'pods', kind: 'PodList', apiVersion: 'v1' },
  { re: /^\/apis\/apps\/v1\/(?:namespaces\/([^/]+)\/)?replicasets$/, key: 'replicaSets', kind: 'ReplicaSetList', apiVersion: 'apps/v1' },
  { re: /^\/apis\/batch\/v1\/(?:namespaces\/([^/]+)\/)?jobs$/, key: 'jobs', kind: 'JobList', apiVersion: 'batch/v1' },
];

export async function startKubeApi(state: KubeState, token = 'test-token-123'): Promise<KubeApiServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${u.pathname}${u.search}`);
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
    for (const r of ROUTES) {
      const m = r.re.exec(u.pathname);
      if (!m) continue;
      const ns = m[1];
      let items = state[r.key] as { metadata: { namespace: string } }[];
      if (ns) items = items.filter((i) => i.metadata.namespace === ns);
      const limit = Number(u.searchParams.get('limit') ?? 0);
      const start = Number(u.searchParams.get('continue') ?? 0);
      const page = limit ? items.slice(start, start + limit) : items.slice(start);
      const more = limit && start + limit < items.length;
      return send(200, { kind: r.kind, apiVersion: r.apiVersion, metadata: { resourceVersion: '48213', ...(more ? { continue: String(start + limit), remainingItemCount: items.length - start - limit } : {}) }, items: page });
    }
    send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server could not find the requested resource`, reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    state,
    requests,
    server,
    kubeconfig(dir) {
      const file = join(dir, 'kubeconfig.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: kind-local',
          '  cluster:',
          `    server: ${url}`,
          // Plain HTTP, as behind `kubectl proxy`: the client refuses it unless told so.
          '    insecure-skip-tls-verify: true',
          'contexts:',
          '- name: test',
          '  context:',
          '    cluster: kind-local',
          '    user: ci',
          '    namespace: default',
          'current-context: test',
          'users:',
          '- name: ci',
          '  user:',
          `    token: ${token}`,
          '',
        ].join('\n'),
      );
      return file;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let uid = 0;
const meta = (kind: string, namespace: string, name: string, owner?: { kind: string; name: string; apiVersion: string }) => ({
  name,
  namespace,
  uid: `0b7c${String(++uid).padStart(4, '0')}-6a2e-4f0e-9d3a-5c1e8f2a${String(uid).padStart(4, '0')}`,
  resourceVersion: String(40000 + uid),
  creationTimestamp: '2026-12-01T10:00:00Z',
  labels: { app: name.split('-')[0] },
  ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: `owner-${owner.name}`, controller: true, blockOwnerDeletion: true }] } : {}),
  managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1', time: '2026-12-01T10:00:00Z' }],
});

/** A Pod as `kubectl get pod -o json` shows it (trimmed of nothing we rely on). */
export function pod(namespace: string, name: string, containers: { name: string; image: string; imageID?: string }[], opts: { owner?: { kind: string; name: string }; phase?: string } = {}): object {
  const apiVersion = opts.owner && ['ReplicaSet', 'DaemonSet', 'StatefulSet'].includes(opts.owner.kind) ? 'apps/v1' : 'batch/v1';
  return {
    metadata: meta('Pod', namespace, name, opts.owner ? { ...opts.owner, apiVersion } : undefined),
    spec: {
      containers: containers.map((c) => ({ name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log' })),
      restartPolicy: 'Always',
      nodeName: 'worker-1',
      serviceAccountName: 'default',
    },
    status: {
      phase: opts.phase ?? 'Running',
      hostIP: '10.0.0.4',
      podIP: '10.244.1.17',
      startTime: '2026-12-01T10:00:05Z',
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: c.imageID ?? '',
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: '2026-12-01T10:00:09Z' } },
        containerID: `containerd://${'9f'.repeat(32)}`,
      })),
    },
  };
}

/** A ReplicaSet or Job, owned by a Deployment or CronJob (or by nothing). */
export function owned(kind: 'ReplicaSet' | 'Job', namespace: string, name: string, owner?: { kind: string; name: string }): object {
  return {
    metadata: meta(kind, namespace, name, owner ? { ...owner, apiVersion: owner.kind === 'CronJob' ? 'batch/v1' : 'apps/v1' } : undefined),
    spec: kind === 'ReplicaSet' ? { replicas: 2, selector: { matchLabels: { app: name } } } : { parallelism: 1, completions: 1, backoffLimit: 6 },
    status: kind === 'ReplicaSet' ? { replicas: 2, readyReplicas: 2, availableReplicas: 2 } : { active: 1, startTime: '2026-12-01T10:00:00Z' },
  };
}
