import type { License } from '../../sbom/model.js';

/**
 * What one source (a lockfile, or a node_modules tree) says about one project, before sources
 * are merged. Nodes are keyed by something unique within the source (a lockfile key, a path);
 * the same name@version may appear under several keys (nested copies, peer variants).
 */
export interface JsNode {
  key: string;
  name: string;
  /** '' when the source gives none (a local directory dependency). */
  version: string;
  /** Evidence file: the lockfile, or the installed package.json. */
  location: string;
  /** The project itself (or one of its workspaces). */
  isRoot?: boolean;
  /** Dev-only as the source states it; undefined when the source does not say. */
  dev?: boolean;
  resolved?: string;
  integrity?: string;
  licenses?: License[];
  author?: string;
  description?: string;
  homepage?: string;
  /** Keys (in this source) of the nodes this one depends on. */
  deps: Set<string>;
}

export type RootDepKind = 'prod' | 'dev' | 'optional' | 'peer';

export interface JsGraph {
  /** What the source is, for metadata (package-lock, yarn, pnpm, node_modules). */
  source: string;
  nodes: Map<string, JsNode>;
  /** What the project itself depends on, resolved to node keys; undefined when unknown. */
  rootDeps?: { key: string; kind: RootDepKind }[];
}

export interface NodeFacts {
  relationship: 'root' | 'direct' | 'transitive' | 'unknown';
  /** Keys of the nodes that depend on this one; '' stands for the project itself. */
  parents: Set<string>;
  dev?: boolean;
}

/** Nodes reachable from the given start keys along dependency edges (iterative, loop safe). */
function reachable(graph: JsGraph, start: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    const n = graph.nodes.get(k);
    if (!n) continue;
    seen.add(k);
    for (const d of n.deps) if (!seen.has(d)) stack.push(d);
  }
  return seen;
}

/**
 * Direct/transitive, parents and dev-only status of every node. A node is direct when the
 * project depends on it, transitive when it does not but the project's dependencies are known,
 * unknown otherwise. Dev comes from the source when it says; else a node reachable only through
 * devDependencies is dev, one reachable through anything else is not.
 */
export function analyseGraph(graph: JsGraph): Map<string, NodeFacts> {
  const facts = new Map<string, NodeFacts>();
  for (const n of graph.nodes.values()) facts.set(n.key, { relationship: n.isRoot ? 'root' : 'unknown', parents: new Set(), dev: n.isRoot ? false : n.dev });
  for (const n of graph.nodes.values()) {
    for (const d of n.deps) if (d !== n.key) facts.get(d)?.parents.add(n.key);
  }
  const rootDeps = graph.rootDeps;
  if (rootDeps) {
    const direct = new Set(rootDeps.map((r) => r.key));
    for (const [key, f] of facts) {
      if (f.relationship === 'root') continue;
      f.relationship = direct.has(key) ? 'direct' : 'transitive';
      if (direct.has(key)) f.parents.add('');
    }
    const prod = reachable(graph, rootDeps.filter((r) => r.kind !== 'dev').map((r) => r.key));
    const dev = reachable(graph, rootDeps.filter((r) => r.kind === 'dev').map((r) => r.key));
    for (const [key, f] of facts) {
      if (f.dev !== undefined) continue;
      if (prod.has(key)) f.dev = false;
      else if (dev.has(key)) f.dev = true;
    }
  }
  return facts;
}
