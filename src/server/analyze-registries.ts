/**
 * Which registries the server pulls images from when asked to analyse one (POST
 * /v1/images/analyze): only those its operator named (`scout server --analyze-registry HOST`,
 * `scout worker --analyze-registry HOST`, or SCOUT_ANALYZE_REGISTRIES). A server that pulls
 * whatever a caller names could be pointed at services on its own network (SSRF), so nothing
 * is allowed by default, and a reference must be a registry reference: never a path, an
 * archive or the local engine, which would read the server's own files.
 */
import { parsePlatform } from '../image/manifest.js';
import { parseReference } from '../image/reference.js';
import { ScoutError } from '../util/errors.js';
import { parseRegistryUrl } from '../watch/registry-view.js';

export interface AnalyzeRegistries {
  /** host[:port], lower-case. */
  hosts: string[];
  /** Those reached over plain HTTP (given as http://host:port). */
  insecure: string[];
}

/** The allowed registries from the option's values and SCOUT_ANALYZE_REGISTRIES (comma or space separated). */
export function analyzeRegistries(values: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): AnalyzeRegistries {
  const all = [...values, ...(env.SCOUT_ANALYZE_REGISTRIES ?? '').split(/[\s,]+/)].map((s) => s.trim()).filter(Boolean);
  const out: AnalyzeRegistries = { hosts: [], insecure: [] };
  for (const s of all) {
    let parsed;
    try {
      parsed = parseRegistryUrl(s);
    } catch (err) {
      throw new ScoutError('bad-option', `--analyze-registry / SCOUT_ANALYZE_REGISTRIES: ${(err as Error).message.replace(/--registry /g, '')}`);
    }
    const host = parsed.registry.toLowerCase();
    if (!out.hosts.includes(host)) out.hosts.push(host);
    if (parsed.insecure && !out.insecure.includes(host)) out.insecure.push(host);
  }
  return out;
}

export interface AnalyzeTarget {
  /** registry/repository[:tag][@digest], as the job pulls it. */
  canonical: string;
  registry: string;
  insecure: boolean;
}

/** The reference, checked: a registry reference (registry:// allowed) to an allowed registry, and a platform that parses. */
export function analyzeTarget(reference: string, allowed: AnalyzeRegistries, platform?: string): AnalyzeTarget {
  const ref = reference.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(ref)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'registry') {
    throw new ScoutError('bad-reference', `"${reference}": the server analyses registry images only (registry/repository:tag or @digest), not ${scheme}:// references`);
  }
  const parsed = parseReference(scheme ? ref.slice('registry://'.length) : ref);
  if (platform !== undefined) parsePlatform(platform);
  const registry = parsed.registry.toLowerCase();
  if (!allowed.hosts.includes(registry)) {
    const which = allowed.hosts.length ? `it allows ${allowed.hosts.join(', ')}` : 'it allows none';
    throw new ScoutError('registry-not-allowed', `registry ${parsed.registry} is not one this server may pull from (${which}; its operator allows more with scout server --analyze-registry HOST or SCOUT_ANALYZE_REGISTRIES)`);
  }
  return { canonical: parsed.canonical, registry, insecure: allowed.insecure.includes(registry) };
}
