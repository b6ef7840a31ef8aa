import type { Warnings } from '../../util/errors.js';
import { npmLicenses } from './license.js';
import type { License } from '../../sbom/model.js';

/** The parts of a package.json we use, checked for type (hostile files hold anything). */
export interface Manifest {
  path: string;
  name?: string;
  version?: string;
  description?: string;
  author?: string;
  homepage?: string;
  licenses: License[];
  private?: boolean;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

const MAX_DEPS = 10_000;
const MAX_TEXT = 4096;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, MAX_TEXT) : undefined;
}

/** A dependency map: name → range, keeping only string values. */
export function depMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  let n = 0;
  for (const [k, r] of Object.entries(v as Record<string, unknown>)) {
    if (++n > MAX_DEPS) break;
    if (typeof r === 'string') out[k] = r;
  }
  return out;
}

/** "Name <email> (url)" from the string or { name, email, url } forms of npm's person field. */
export function personText(v: unknown): string | undefined {
  if (typeof v === 'string') return str(v);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const p = v as Record<string, unknown>;
  const parts = [str(p.name), str(p.email) ? `<${str(p.email)}>` : undefined, str(p.url) ? `(${str(p.url)})` : undefined].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

/**
 * Who made a package, as its package.json records people: the author, else the first
 * contributor, else the first maintainer (many packages, @types/* among them, name no author).
 */
export function authorOf(j: Record<string, unknown>): string | undefined {
  const first = (v: unknown) => (Array.isArray(v) && v.length ? personText(v[0]) : undefined);
  return personText(j.author) ?? first(j.contributors) ?? first(j.maintainers);
}

/** Parse JSON text, recording a warning naming the file when it is not a JSON object. */
export function parseJsonObject(text: string, path: string, warnings: Warnings): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    // A UTF-8 byte-order mark is common in hand-edited files and is not JSON.
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    warnings.add('npm-malformed-json', `${path}: not valid JSON (${(err as Error).message}); skipped`, { path });
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    warnings.add('npm-malformed-json', `${path}: expected a JSON object; skipped`, { path });
    return undefined;
  }
  return v as Record<string, unknown>;
}

export function readManifest(text: string, path: string, warnings: Warnings): Manifest | undefined {
  const j = parseJsonObject(text, path, warnings);
  if (!j) return undefined;
  return {
    path,
    name: str(j.name),
    version: str(j.version),
    description: str(j.description),
    author: authorOf(j),
    homepage: str(j.homepage),
    licenses: npmLicenses(j.license, j.licenses),
    private: j.private === true ? true : undefined,
    dependencies: depMap(j.dependencies),
    devDependencies: depMap(j.devDependencies),
    optionalDependencies: depMap(j.optionalDependencies),
    peerDependencies: depMap(j.peerDependencies),
  };
}

/** The project's declared dependencies with their kind; prod wins when a name is listed twice. */
export function declaredDeps(m: Manifest): { name: string; range: string; kind: 'prod' | 'dev' | 'optional' | 'peer' }[] {
  const out = new Map<string, { name: string; range: string; kind: 'prod' | 'dev' | 'optional' | 'peer' }>();
  const add = (deps: Record<string, string>, kind: 'prod' | 'dev' | 'optional' | 'peer') => {
    for (const [name, range] of Object.entries(deps)) if (!out.has(name)) out.set(name, { name, range, kind });
  };
  add(m.dependencies, 'prod');
  add(m.optionalDependencies, 'optional');
  add(m.peerDependencies, 'peer');
  add(m.devDependencies, 'dev');
  return [...out.values()];
}
