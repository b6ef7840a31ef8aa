/**
 * A runtime inventory: which workloads of a cluster run which images right now. It is what
 * `scout environment sync` posts to `POST /v1/integrations/runtime` and what the server keeps
 * current (workloads that disappear are closed with an end time). Only what the data-handling
 * page names is kept: cluster, Kubernetes namespace, workload name and type, image reference
 * and digest.
 */

export type WorkloadType = 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Job' | 'CronJob' | 'ReplicaSet' | 'Pod' | string;
export const WORKLOAD_TYPES: readonly string[] = ['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod'];

export interface InventoryImage {
  /** The reference the pod spec names (`nginx:1.27`, `ghcr.io/o/r@sha256:…`). */
  ref: string;
  /** The manifest digest the node pulled (from containerStatuses[].imageID), when known. */
  digest?: string;
}

export interface InventoryWorkload {
  namespace: string;
  name: string;
  type: WorkloadType;
  images: InventoryImage[];
}

export interface RuntimeInventory {
  environment: string;
  cluster: string;
  observedAt: string;
  workloads: InventoryWorkload[];
}

/** The parts of Kubernetes objects the inventory reads (real API objects carry much more). */
export interface OwnerRef {
  kind: string;
  name: string;
  controller?: boolean;
}
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; ownerReferences?: OwnerRef[] };
}
export interface KubePod extends KubeObject {
  spec?: { containers?: { name: string; image?: string }[] };
  status?: { phase?: string; containerStatuses?: { name: string; image?: string; imageID?: string }[] };
}

const DIGEST = /@(sha256:[0-9a-f]{64})$/;

/**
 * The manifest digest from a container status's imageID (`docker-pullable://nginx@sha256:…`,
 * `docker.io/library/nginx@sha256:…`). A bare `sha256:…` is a local image ID (the config
 * digest on some runtimes), not a manifest digest: left out rather than mistaken for one.
 */
export function digestFromImageId(imageId: string | undefined): string | undefined {
  return imageId ? DIGEST.exec(imageId)?.[1] : undefined;
}

function controllerOf(o: KubeObject): OwnerRef | undefined {
  const refs = o.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

/**
 * Resolves each running pod to the workload that owns it: Pod → ReplicaSet → Deployment,
 * Pod → Job → CronJob, Pod → DaemonSet / StatefulSet, a pod with no owner is a bare Pod, and a
 * ReplicaSet or Job with no owner is the workload itself. An owner of another kind (a custom
 * controller) is the workload under its own kind.
 */
export function buildInventory(input: {
  environment: string;
  cluster: string;
  pods: readonly KubePod[];
  replicaSets: readonly KubeObject[];
  jobs: readonly KubeObject[];
  observedAt?: Date;
}): RuntimeInventory {
  const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;
  const rsOwner = new Map(input.replicaSets.map((rs) => [key(rs.metadata?.namespace, rs.metadata?.name), controllerOf(rs)]));
  const jobOwner = new Map(input.jobs.map((j) => [key(j.metadata?.namespace, j.metadata?.name), controllerOf(j)]));
  const workloads = new Map<string, InventoryWorkload>();
  for (const pod of input.pods) {
    if (pod.status?.phase !== 'Running') continue;
    const ns = pod.metadata?.namespace ?? 'default';
    let type: string = 'Pod';
    let name = pod.metadata?.name ?? '';
    const owner = controllerOf(pod);
    if (owner) {
      type = owner.kind;
      name = owner.name;
      const parent = owner.kind === 'ReplicaSet' ? rsOwner.get(key(ns, owner.name)) : owner.kind === 'Job' ? jobOwner.get(key(ns, owner.name)) : undefined;
      if (parent && ((owner.kind === 'ReplicaSet' && parent.kind === 'Deployment') || (owner.kind === 'Job' && parent.kind === 'CronJob'))) {
        type = parent.kind;
        name = parent.name;
      }
    }
    const wkey = `${ns}\u0000${type}\u0000${name}`;
    let w = workloads.get(wkey);
    if (!w) workloads.set(wkey, (w = { namespace: ns, name, type, images: [] }));
    const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    for (const c of pod.spec?.containers ?? []) {
      const s = statuses.get(c.name);
      const ref = c.image ?? s?.image;
      if (!ref) continue;
      const digest = digestFromImageId(s?.imageID);
      // A rollout in progress runs two digests under one workload: both are listed.
      if (!w.images.some((i) => i.ref === ref && i.digest === digest)) w.images.push({ ref, ...(digest ? { digest } : {}) });
    }
  }
  const sorted = [...workloads.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  for (const w of sorted) w.images.sort((a, b) => a.ref.localeCompare(b.ref) || (a.digest ?? '').localeCompare(b.digest ?? ''));
  return { environment: input.environment, cluster: input.cluster, observedAt: (input.observedAt ?? new Date()).toISOString(), workloads: sorted };
}
