/**
 * cargo-auditable: binaries built with `cargo auditable build` carry their dependency tree
 * as zlib-compressed JSON in a `.dep-v0` section (ELF, Mach-O and PE alike).
 */
import { inflateSync } from 'node:zlib';
import { ScoutError } from '../../util/errors.js';
import { parseExecutable, sectionData } from '../golang/executable.js';
import { MAX_ENTRIES_PER_FILE } from '../limits.js';

export interface AuditablePackage {
  name: string;
  version: string;
  /** "crates.io", "local", "git", "registry", ... */
  source: string;
  /** "runtime" (default) or "build". */
  kind: string;
  /** Indices into the package list. */
  dependencies: number[];
  root: boolean;
}

const MAX_JSON = 16 * 1024 * 1024;
const MAX_PACKAGES = MAX_ENTRIES_PER_FILE;

/** The layer pass's result for a binary: its cargo-auditable dependencies, if it has any. */
export function auditableResult(buf: Buffer, name = 'binary'): { packages: AuditablePackage[] } | undefined {
  const pkgs = readAuditableDeps(buf, name);
  return pkgs ? { packages: pkgs } : undefined;
}

/** The audit data of a binary; undefined when it has no `.dep-v0` section. */
export function readAuditableDeps(buf: Buffer, name = 'binary'): AuditablePackage[] | undefined {
  const exe = parseExecutable(buf);
  if (!exe) return undefined;
  const section = exe.sections.find((s) => s.name === '.dep-v0');
  const data = sectionData(buf, section);
  if (!data) return undefined;
  const bad = (what: string, cause?: unknown): never => {
    throw new ScoutError('cargo-auditable-corrupt', `${name}: cargo-auditable data ${what}`, { path: name, cause });
  };
  let json: Buffer;
  try {
    json = inflateSync(data, { maxOutputLength: MAX_JSON });
  } catch (err) {
    return bad((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past ${MAX_JSON} bytes` : 'does not inflate', err);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch (err) {
    return bad('is not JSON', err);
  }
  const list = (doc as { packages?: unknown }).packages;
  if (!Array.isArray(list)) return bad('has no package list');
  if (list.length > MAX_PACKAGES) return bad(`lists more than ${MAX_PACKAGES} packages`);
  const out: AuditablePackage[] = [];
  for (const raw of list as Record<string, unknown>[]) {
    if (!raw || typeof raw.name !== 'string' || typeof raw.version !== 'string') return bad('has a package without name or version');
    const deps = Array.isArray(raw.dependencies) ? raw.dependencies.filter((d): d is number => Number.isInteger(d) && d >= 0 && d < list.length) : [];
    out.push({
      name: raw.name,
      version: raw.version,
      source: typeof raw.source === 'string' ? raw.source : 'crates.io',
      kind: typeof raw.kind === 'string' ? raw.kind : 'runtime',
      dependencies: deps,
      root: raw.root === true,
    });
  }
  return out;
}
