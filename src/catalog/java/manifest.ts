/**
 * META-INF/MANIFEST.MF: the main section of a JAR manifest, and the Maven-like identity and
 * licenses that can be read from it when an archive carries no pom.properties of its own.
 */
import { dedupeLicenses, normaliseLicense } from '../../sbom/license.js';
import type { License } from '../../sbom/model.js';
import { bundleLicenses } from './licenses.js';
import { appendAll } from '../../util/arrays.js';

/** Main-section attributes, keys lower-cased (manifest names are case-insensitive). */
export type Manifest = Map<string, string>;

const MAX_ATTRIBUTES = 10_000;

export function parseManifest(text: string): Manifest {
  const out: Manifest = new Map();
  let key: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    // The main section ends at the first blank line; per-entry sections follow.
    if (line === '') break;
    if (line.startsWith(' ') && key !== undefined) {
      out.set(key, out.get(key)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    if (out.size >= MAX_ATTRIBUTES) break;
    key = line.slice(0, colon).trim().toLowerCase();
    out.set(key, line.slice(colon + 1).replace(/^ /, ''));
  }
  for (const [k, v] of out) out.set(k, v.trim());
  return out;
}

export interface ManifestIdentity {
  groupId: string;
  artifactId: string;
  version: string;
}

function first(m: Manifest, ...keys: string[]): string {
  for (const k of keys) {
    const v = m.get(k);
    if (v) return v;
  }
  return '';
}

/**
 * The artifact a manifest describes, using the precedence the common scanners agree on:
 * group from Implementation-Vendor-Id, else Bundle-SymbolicName minus its last segment,
 * else the vendor names; artifact from the titles or Bundle-Name; version from
 * Implementation/Specification/Bundle-Version. Undefined unless all three are found.
 */
export function manifestIdentity(m: Manifest): ManifestIdentity | undefined {
  let groupId = m.get('implementation-vendor-id') ?? '';
  if (!groupId) {
    // OSGi headers may carry directives: "org.foo.bar;singleton:=true".
    const symbolic = (m.get('bundle-symbolicname') ?? '').split(';')[0].trim();
    if (symbolic) {
      const dot = symbolic.lastIndexOf('.');
      groupId = dot > 0 ? symbolic.slice(0, dot) : symbolic;
    }
  }
  if (!groupId) groupId = first(m, 'implementation-vendor', 'specification-vendor');
  const artifactId = first(m, 'implementation-title', 'specification-title', 'bundle-name');
  const version = first(m, 'implementation-version', 'specification-version', 'bundle-version');
  if (!groupId || !artifactId || !version) return undefined;
  return { groupId, artifactId, version };
}

/** The group a manifest names without the rest of an identity: Implementation-Vendor-Id, else the Bundle-SymbolicName's package. */
export function manifestGroup(m: Manifest): string | undefined {
  const id = m.get('implementation-vendor-id');
  if (id && !/\s/.test(id)) return id;
  const symbolic = (m.get('bundle-symbolicname') ?? '').split(';')[0].trim();
  const dot = symbolic.lastIndexOf('.');
  return dot > 0 && !/\s/.test(symbolic) ? symbolic.slice(0, dot) : undefined;
}

/** Who makes the archive and what it is, as its manifest says (Implementation, OSGi, Specification headers). */
export function manifestAbout(m: Manifest): { author?: string; description?: string } {
  const author = first(m, 'implementation-vendor', 'bundle-vendor', 'specification-vendor').slice(0, 1024);
  const description = first(m, 'bundle-description').slice(0, 1024);
  return { ...(author ? { author } : {}), ...(description ? { description } : {}) };
}

/** Licenses a manifest declares: OSGi Bundle-License, and Jenkins plugins' Plugin-License-Name[-n]. */
export function manifestLicenses(m: Manifest): License[] {
  const out: License[] = [];
  const bundle = m.get('bundle-license');
  if (bundle) appendAll(out, bundleLicenses(bundle));
  const plugin = [...m.entries()]
    .filter(([k]) => /^plugin-license-name(-\d+)?$/.test(k))
    .sort(([a], [b]) => (Number(a.split('-')[3] ?? 1) - Number(b.split('-')[3] ?? 1)));
  for (const [, v] of plugin) if (v) appendAll(out, normaliseLicense(v));
  return dedupeLicenses(out);
}
