/**
 * Rust: Cargo.lock files (captured, they are small) and binaries built with cargo-auditable
 * (analyzed during the layer pass; only the embedded dependency list is kept).
 */
import type { FileAnalyzer } from '../../image/capture.js';
import type { FileTree } from '../../image/filetree.js';
import type { Package, Relationship } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';
import type { Cataloger, CatalogContext } from '../types.js';
import { selectExecutable } from '../golang/executable.js';
import { auditableResult, type AuditablePackage } from './auditable.js';
import { parseCargoLock, type CargoLockPackage } from './cargo-lock.js';
import { siblingModule } from '../../util/module-worker.js';
import { appendAll } from '../../util/arrays.js';
import { warnIfCapped } from '../limits.js';

import { CARGO_AUDITABLE, rustSpec } from './spec.js';

export const CARGO_AUDITABLE_ANALYZER = CARGO_AUDITABLE.name;
const FOUND_BY = rustSpec.name;

export const cargoAuditableAnalyzer: FileAnalyzer = {
  ...CARGO_AUDITABLE,
  select: selectExecutable,
  analyze: auditableResult,
  offThread: { module: siblingModule(import.meta.url, 'auditable').href, fn: 'auditableResult' },
};

function cargoPurl(name: string, version: string): string {
  return purlFor({ type: 'cargo', name, version });
}

/** Give each package its relationship from the dependency graph: roots, their deps, the rest. */
function relate(pkgs: Package[], roots: Set<number>, deps: number[][]): void {
  const direct = new Set<number>();
  for (const r of roots) for (const d of deps[r]) if (!roots.has(d)) direct.add(d);
  pkgs.forEach((p, i) => {
    const rel: Relationship = roots.has(i) ? 'root' : direct.has(i) ? 'direct' : 'transitive';
    p.relationship = roots.size ? rel : 'unknown';
    const on = [...new Set(deps[i])].filter((d) => d !== i);
    if (on.length) p.dependsOn = on.map((d) => pkgs[d].id);
  });
  pkgs.forEach((p, i) => {
    for (const d of new Set(deps[i])) {
      if (d === i) continue;
      (pkgs[d].dependencyOf ??= []).push(p.id);
    }
  });
}

/** Resolve "name", "name version" or "name version (source)" to a package index. */
function resolveLockDep(spec: string, pkgs: CargoLockPackage[], byName: Map<string, number[]>): number | undefined {
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+\((.*)\))?$/.exec(spec.trim());
  if (!m) return undefined;
  const candidates = byName.get(m[1]) ?? [];
  const matching = candidates.filter((i) => (!m[2] || pkgs[i].version === m[2]) && (!m[3] || pkgs[i].source === m[3]));
  return matching.length >= 1 ? matching[0] : undefined;
}

/** A crate as both evidence kinds report it (licenses are in neither). */
function crate(id: string, name: string, version: string, path: string, metadata: Record<string, unknown>): Package {
  return { id, name, version, type: 'cargo', purl: cargoPurl(name, version), licenses: [], locations: [{ path }], foundBy: FOUND_BY, metadata };
}

function fromCargoLock(path: string, text: string): Package[] {
  const lock = parseCargoLock(text);
  const byName = new Map<string, number[]>();
  lock.forEach((p, i) => {
    const same = byName.get(p.name);
    if (same) same.push(i);
    else byName.set(p.name, [i]);
  });
  const pkgs: Package[] = lock.map((p) =>
    crate(`${p.name}@${p.version}|${p.source ?? ''}|${path}`, p.name, p.version, path, {
      ...(p.source ? { source: p.source } : {}),
      ...(p.checksum ? { checksum: p.checksum } : {}),
      dependencies: p.dependencies,
    }),
  );
  const deps = lock.map((p) => p.dependencies.map((d) => resolveLockDep(d, lock, byName)).filter((d): d is number => d !== undefined));
  // Crates without a source are the workspace's own: the roots of the graph.
  const roots = new Set(lock.flatMap((p, i) => (p.source ? [] : [i])));
  relate(pkgs, roots, deps);
  return pkgs;
}

function fromAuditable(path: string, list: AuditablePackage[]): Package[] {
  const pkgs: Package[] = list.map((p, i) => crate(`${p.name}@${p.version}#${i}|${path}`, p.name, p.version, path, { source: p.source, kind: p.kind, evidence: 'cargo-auditable' }));
  relate(pkgs, new Set(list.flatMap((p, i) => (p.root ? [i] : []))), list.map((p) => p.dependencies));
  return pkgs;
}

function isAuditable(x: unknown): x is { packages: AuditablePackage[] } {
  const a = x as { packages?: unknown } | undefined;
  return !!a && Array.isArray(a.packages);
}

function catalogRust(tree: FileTree, ctx: CatalogContext): Package[] {
  const out: Package[] = [];
  const audited = new Set(tree.analyzed(CARGO_AUDITABLE_ANALYZER));
  const nodes = tree.captured().filter((n) => n.path.endsWith('/Cargo.lock') || audited.has(n.path));
  for (const n of nodes) {
    try {
      if (n.path.endsWith('/Cargo.lock')) {
        const text = tree.readText(n.path);
        if (text !== undefined) {
          const found = fromCargoLock(n.path, text);
          warnIfCapped(found.length, n.path, ctx.warnings, 'packages');
          appendAll(out, found);
        }
      }
      const audit = audited.has(n.path) ? tree.analysis(n.path, CARGO_AUDITABLE_ANALYZER) : undefined;
      if (audit !== undefined) {
        if (isAuditable(audit)) appendAll(out, fromAuditable(n.path, audit.packages));
        else ctx.warnings.add('cargo-analysis-invalid', `${n.path}: unreadable cargo-auditable analysis`, { path: n.path });
      }
    } catch (err) {
      ctx.warnings.fromError(err, 'rust-cataloger-error', { path: n.path });
    }
  }
  return out;
}

export const rustCataloger: Cataloger = {
  ...rustSpec,
  capture: { ...rustSpec.capture, analyzers: [cargoAuditableAnalyzer] },
  catalog: catalogRust,
};
