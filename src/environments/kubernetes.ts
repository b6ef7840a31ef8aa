/**
 * Reads a cluster's running pods and their owners through the Kubernetes API
 * (@kubernetes/client-node: kubeconfig contexts, tokens, client certificates, exec plugins),
 * three list calls whatever the cluster's size: pods, ReplicaSets and Jobs of all namespaces
 * (or of one), each paged with `limit`/`continue`.
 */
import { ScoutError } from '../util/errors.js';
import { buildInventory, type KubeObject, type KubePod, type RuntimeInventory } from './inventory.js';
import { appendAll } from '../util/arrays.js';

export interface ClusterOptions {
  kubeconfig: string;
  environment: string;
  /** Default: the cluster name of the kubeconfig's context. */
  cluster?: string;
  /** Default: the kubeconfig's current context. */
  context?: string;
  /** Only this namespace (needs only namespaced list rights). */
  namespace?: string;
}

const PAGE = 500;

type Lister = (p: { _continue?: string; limit: number }) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>;

async function listAll<T>(list: Lister): Promise<T[]> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    const page = await list({ limit: PAGE, ...(cont ? { _continue: cont } : {}) });
    appendAll(out, page.items as T[]);
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return out;
}

export async function readClusterInventory(opts: ClusterOptions): Promise<RuntimeInventory> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(opts.kubeconfig);
  } catch (err) {
    throw new ScoutError('bad-kubeconfig', `cannot read kubeconfig ${opts.kubeconfig}: ${(err as Error).message}`, { path: opts.kubeconfig });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new ScoutError('bad-kubeconfig', `kubeconfig ${opts.kubeconfig} has no context "${opts.context}"`, { path: opts.kubeconfig });
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ScoutError('bad-kubeconfig', `kubeconfig ${opts.kubeconfig} names no cluster for context "${kc.getCurrentContext()}"`, { path: opts.kubeconfig });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const ns = opts.namespace;
  try {
    const [pods, replicaSets, jobs] = await Promise.all([
      listAll<KubePod>((p) => (ns ? core.listNamespacedPod({ namespace: ns, ...p }) : core.listPodForAllNamespaces(p))),
      listAll<KubeObject>((p) => (ns ? apps.listNamespacedReplicaSet({ namespace: ns, ...p }) : apps.listReplicaSetForAllNamespaces(p))),
      listAll<KubeObject>((p) => (ns ? batch.listNamespacedJob({ namespace: ns, ...p }) : batch.listJobForAllNamespaces(p))),
    ]);
    return buildInventory({ environment: opts.environment, cluster: opts.cluster ?? cluster.name, pods, replicaSets, jobs });
  } catch (err) {
    throw new ScoutError('kubernetes-api', `Kubernetes API at ${cluster.server}: ${describeApiError(err)}`);
  }
}

function describeApiError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  if (typeof e.code === 'number') {
    let reason = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      reason = (body as { message?: string })?.message ?? '';
    } catch {
      // not JSON: the status is enough
    }
    // The client drops the body of a 401: say what it means.
    if (!reason && e.code === 401) reason = "unauthorized: the kubeconfig's credentials were refused";
    return `HTTP ${e.code}${reason ? `: ${reason}` : ''}`;
  }
  return e.message ?? String(err);
}
