/**
 * Where `scout db update` gets advisory data: the default public feeds, as plain configuration.
 * Nothing here touches the network; it only builds a list of URLs.
 *
 * Overrides, in order:
 *   1. a config file, `$SCOUT_CONFIG_DIR/sources.json` or `~/.config/iechor-scout/sources.json`:
 *        { "sources": [...] }                 replaces the default list entirely, or
 *        { "enable": [names], "disable": [names], "add": [...] }   adjusts it;
 *        { "mirror": "https://mirror.example/feeds" }            as SCOUT_ADVISORY_MIRROR below.
 *   2. env SCOUT_ADVISORY_MIRROR, a base URL that replaces the origin (scheme, host, port) of every
 *      source: https://www.cisa.gov/sites/default/files/feeds/kev.json with mirror
 *      http://m.local/feeds becomes http://m.local/feeds/sites/default/files/feeds/kev.json.
 *      An air-gapped mirror therefore copies each feed under its original path. The mirror may
 *      also be a directory (an absolute path or a file: URL) holding that same layout.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configDir } from '../../util/config-dir.js';
import { ScoutError } from '../../util/errors.js';

export const OSV_ORIGIN = 'https://osv-vulnerabilities.storage.googleapis.com';

/** OSV ecosystems fetched by default: the ones our catalogers produce packages for. */
export const DEFAULT_OSV_ECOSYSTEMS = [
  'npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'RubyGems', 'NuGet', 'Packagist', 'Pub', 'Hex',
  'Debian', 'Alpine', 'Ubuntu', 'Red Hat', 'AlmaLinux', 'Rocky Linux', 'Wolfi', 'Chainguard',
] as const;

/** Alpine branches whose secdb is listed (when alpine-secdb sources are enabled). */
export const ALPINE_SECDB_BRANCHES = ['v3.19', 'v3.20', 'v3.21', 'v3.22', 'v3.23', 'edge'] as const;

/**
 * One feed.
 * - 'osv': an osv.dev ecosystem directory `url` holding all.zip, modified_id.csv and <ID>.json.
 * - 'nvd': the NVD CVE API 2.0 at `url` (…/rest/json/cves/2.0), read page by page; CVSS, CWE
 *   and references for findings other sources do not rate (import/nvd.ts).
 * - 'ghsa': a zip of GitHub's advisory-database repository (its OSV files under
 *   advisories/github-reviewed/), as GitHub serves it or a mirror copies it.
 * - the others: one document at `url`, imported whole.
 */
export type SourceSpec =
  | { name: string; type: 'osv'; ecosystem: string; url: string; enabled: boolean }
  | { name: string; type: 'cisa-kev' | 'epss' | 'debian-tracker' | 'alpine-secdb' | 'nvd' | 'ghsa'; url: string; enabled: boolean };

export type SourceType = SourceSpec['type'];
const TYPES: ReadonlySet<string> = new Set<SourceType>(['osv', 'cisa-kev', 'epss', 'debian-tracker', 'alpine-secdb', 'nvd', 'ghsa']);

export const NVD_API_URL = 'https://services.nvd.nist.gov/rest/json/cves/2.0';
export const GHSA_ARCHIVE_URL = 'https://github.com/github/advisory-database/archive/refs/heads/main.zip';

/** 'osv-pypi', 'osv-crates.io', 'osv-red-hat'. */
export function osvSourceName(ecosystem: string): string {
  return `osv-${ecosystem.toLowerCase().replace(/\s+/g, '-')}`;
}

export function osvSource(ecosystem: string, origin = OSV_ORIGIN): SourceSpec {
  return { name: osvSourceName(ecosystem), type: 'osv', ecosystem, url: `${origin}/${encodeURIComponent(ecosystem)}`, enabled: true };
}

/** URLs under an OSV ecosystem directory. */
export const osvUrls = {
  all: (s: { url: string }) => `${s.url}/all.zip`,
  modified: (s: { url: string }) => `${s.url}/modified_id.csv`,
  record: (s: { url: string }, id: string) => `${s.url}/${encodeURIComponent(id)}.json`,
};

/**
 * The built-in list. The Debian tracker and Alpine secdb are listed but disabled: OSV's Debian
 * and Alpine data are derived from them, the tracker even yields the same DEBIAN-CVE-* ids, so
 * enabling both would import every distro advisory twice. Enable them (and disable osv-debian /
 * osv-alpine) in sources.json to read the distributions' own feeds instead.
 */
export function defaultSources(): SourceSpec[] {
  return [
    ...DEFAULT_OSV_ECOSYSTEMS.map((e) => osvSource(e)),
    { name: 'cisa-kev', type: 'cisa-kev', url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json', enabled: true },
    { name: 'epss', type: 'epss', url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz', enabled: true },
    // The severity of findings no other source rates (a DSA, an unrated distro CVE).
    { name: 'nvd', type: 'nvd', url: NVD_API_URL, enabled: false },
    // osv.dev's ecosystems already hold GitHub's reviewed advisories: this is for a mirror of
    // the advisory-database repository instead (disable the osv-* language sources then).
    { name: 'ghsa', type: 'ghsa', url: GHSA_ARCHIVE_URL, enabled: false },
    { name: 'debian-tracker', type: 'debian-tracker', url: 'https://security-tracker.debian.org/tracker/data/json', enabled: false },
    ...ALPINE_SECDB_BRANCHES.flatMap((b) => (['main', 'community'] as const).map((repo): SourceSpec => ({
      name: `alpine-secdb-${b}-${repo}`, type: 'alpine-secdb', url: `https://secdb.alpinelinux.org/${b}/${repo}.json`, enabled: false,
    }))),
  ];
}

/** Replaces the origin of `url` with `mirror` (which may carry a path prefix). */
export function mirrorUrl(url: string, mirror: string): string {
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Read this file instead of the default location (tests, `--config`). */
  configFile?: string;
}

/** `$SCOUT_CONFIG_DIR/sources.json`, else `~/.config/iechor-scout/sources.json` (XDG_CONFIG_HOME honoured). */
export function sourcesConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'sources.json');
}

/**
 * The sources to update, defaults adjusted by the config file and the mirror. Disabled sources
 * are kept in the list (with `enabled: false`) so `scout db sources` can show them; `updateDatabase`
 * skips them. Throws ScoutError('sources-config') naming the file when the config is unusable:
 * silently falling back to the public internet would defeat an air-gapped setup.
 */
export function resolveSources(opts: ResolveOptions = {}): SourceSpec[] {
  const env = opts.env ?? process.env;
  const file = opts.configFile ?? sourcesConfigPath(env);
  let sources = defaultSources();
  let mirror: string | undefined;
  const config = readConfig(file, opts.configFile !== undefined);
  if (config) {
    const bad = (msg: string): never => {
      throw new ScoutError('sources-config', `${file}: ${msg}`, { path: file });
    };
    if (config.sources !== undefined) {
      if (!Array.isArray(config.sources)) bad('"sources" must be an array');
      sources = (config.sources as unknown[]).map((s, i) => parseSpec(s, `sources[${i}]`, bad));
    }
    for (const key of ['enable', 'disable'] as const) {
      const names = config[key];
      if (names === undefined) continue;
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) bad(`"${key}" must be an array of source names`);
      for (const n of names as string[]) {
        const s = sources.find((x) => x.name === n);
        if (!s) bad(`"${key}": no source named ${JSON.stringify(n)}`);
        s!.enabled = key === 'enable';
      }
    }
    if (config.add !== undefined) {
      if (!Array.isArray(config.add)) bad('"add" must be an array');
      for (const [i, raw] of (config.add as unknown[]).entries()) {
        const s = parseSpec(raw, `add[${i}]`, bad);
        sources = sources.filter((x) => x.name !== s.name);
        sources.push(s);
      }
    }
    if (config.mirror !== undefined) {
      const m = typeof config.mirror === 'string' ? mirrorBase(config.mirror) : undefined;
      if (!m) bad('"mirror" must be an http(s) URL, a file: URL or an absolute directory path');
      mirror = m;
    }
  }
  const envMirror = env.SCOUT_ADVISORY_MIRROR?.trim();
  if (envMirror) {
    const m = mirrorBase(envMirror);
    if (!m) throw new ScoutError('sources-config', `SCOUT_ADVISORY_MIRROR is not an http(s) URL, a file: URL or an absolute directory path: ${JSON.stringify(envMirror.slice(0, 200))}`);
    mirror = m;
  }
  const names = new Set<string>();
  for (const s of sources) {
    if (names.has(s.name)) throw new ScoutError('sources-config', `${file}: source name ${JSON.stringify(s.name)} appears twice`, { path: file });
    names.add(s.name);
  }
  return mirror ? sources.map((s) => ({ ...s, url: mirrorUrl(s.url, mirror!) })) : sources;
}

function readConfig(file: string, required: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ScoutError('sources-config', `${file}: cannot read: ${(err as Error).message}`, { path: file, cause: err });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ScoutError('sources-config', `${file}: not valid JSON: ${(err as Error).message.slice(0, 200)}`, { path: file });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScoutError('sources-config', `${file}: must be a JSON object`, { path: file });
  return v as Record<string, unknown>;
}

/**
 * A mirror as a URL base: an http(s) URL as given, a file: URL, or an absolute directory path
 * turned into one (an air-gapped copy of the feeds); undefined when it is none of these.
 */
export function mirrorBase(raw: string): string | undefined {
  if (isAbsolute(raw)) return pathToFileURL(raw).toString();
  if (isHttpUrl(raw)) return raw;
  try {
    const u = new URL(raw);
    return u.protocol === 'file:' && u.pathname !== '' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function parseSpec(raw: unknown, where: string, bad: (msg: string) => never): SourceSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(`${where} must be an object`);
  const o = raw as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) bad(`${where}.type must be one of ${[...TYPES].join(', ')}`);
  const type = o.type as SourceType;
  if (type === 'osv' && o.url === undefined && typeof o.ecosystem === 'string') {
    // { "type": "osv", "ecosystem": "Hex" } is enough for an osv.dev ecosystem.
    const s = osvSource(o.ecosystem);
    return { ...s, name: typeof o.name === 'string' ? o.name : s.name, enabled: o.enabled !== false };
  }
  if (typeof o.url !== 'string' || !isHttpUrl(o.url)) bad(`${where}.url must be an http(s) URL`);
  const url = (o.url as string).replace(/\/+$/, '');
  const enabled = o.enabled !== false;
  if (type === 'osv') {
    if (typeof o.ecosystem !== 'string' || o.ecosystem === '') bad(`${where}.ecosystem is required for an osv source`);
    const name = typeof o.name === 'string' ? o.name : osvSourceName(o.ecosystem as string);
    if (!NAME.test(name)) bad(`${where}.name ${JSON.stringify(name)} is not a valid source name`);
    return { name, type, ecosystem: o.ecosystem as string, url, enabled };
  }
  if (typeof o.name !== 'string' || !NAME.test(o.name)) bad(`${where}.name is required (letters, digits, . _ : -)`);
  return { name: o.name as string, type, url, enabled } as SourceSpec;
}
