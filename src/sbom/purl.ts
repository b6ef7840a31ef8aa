/**
 * Package URLs: parse, build and canonicalise, on top of packageurl-js.
 *
 * packageurl-js does the component validation and most per-type normalisation; this module
 * fixes where it departs from the purl-spec test suite (each fix has its own test in
 * test/sbom/purl.test.ts):
 *  1. canonical percent-encoding: only A-Z a-z 0-9 . - _ ~ and ':' stay literal ('+' in a
 *     Debian version becomes %2B, ':' in a qualifier value or subpath stays ':').
 *  2. qualifier values keep a literal '+' (URLSearchParams would read it as a space).
 *  3. a '@' is the version separator only after the last '/', so `pkg:julia/@1.9.0` has an
 *     empty name (rejected) and `pkg:npm/@babel/core` has no version.
 *  4. strict parsing rejects qualifier keys that are not lowercase (canonicalPurl repairs them).
 *  5. npm names keep their case (legacy packages such as JSONStream are case-sensitive).
 *  6. per-type rules from the purl-spec type definitions that packageurl-js lacks: brew
 *     lowercasing, git host/path split, chrome-extension id and version shape, cpan module
 *     names, julia's required uuid, prohibited and required namespaces.
 */
import { PackageURL } from 'packageurl-js';
import { ScoutError } from '../util/errors.js';
import { memoizeParse } from '../util/memo.js';

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string>;
  subpath?: string;
}

/** Components as a caller or a test suite may give them (null meaning absent). */
export interface PurlInput {
  type?: string | null;
  namespace?: string | null;
  name?: string | null;
  version?: string | null;
  qualifiers?: Record<string, string | null | undefined> | null;
  subpath?: string | null;
}

export class PurlError extends ScoutError {
  constructor(message: string, purl?: string) {
    super('purl-invalid', purl !== undefined ? `invalid package URL ${JSON.stringify(purl)}: ${message}` : `invalid package URL: ${message}`);
  }
}

/** A purl longer than this is not a package identifier, it is an attack or a bug. */
const MAX_PURL_LENGTH = 8192;

// Types whose definition says "namespace: prohibited" / "required". The required list leaves out
// types whose real-world purls commonly lack one (golang stdlib, deb/rpm/apk without a distro,
// huggingface models without an owner, as the legacy suite has them).
const NAMESPACE_PROHIBITED = new Set([
  'bazel', 'bitnami', 'cargo', 'chrome-extension', 'cocoapods', 'conda', 'cran', 'gem', 'hackage',
  'julia', 'mlflow', 'nuget', 'oci', 'opam', 'otp', 'pub', 'pypi', 'vcpkg',
]);
const NAMESPACE_REQUIRED = new Set(['vscode-extension', 'maven', 'swift', 'github', 'bitbucket', 'composer', 'git']);
// Types whose definition says the namespace / the name is not case sensitive ("case_sensitive":
// false): lowercased in canonical form. test/sbom/purl-types.test.ts holds these lists and the
// two above to the definitions in test/fixtures/purl/types/.
const NAMESPACE_CASE_INSENSITIVE = new Set([
  'alpm', 'apk', 'bitbucket', 'brew', 'composer', 'deb', 'github', 'hex', 'luarocks', 'qpkg', 'rpm', 'vscode-extension', 'yocto',
]);
const NAME_CASE_INSENSITIVE = new Set([
  'alpm', 'apk', 'bitbucket', 'bitnami', 'brew', 'chrome-extension', 'composer', 'deb', 'github', 'hex', 'luarocks', 'oci', 'otp', 'pub', 'pypi', 'vscode-extension',
]);
/** Qualifier keys defined by the core purl specification for every type. */
const WELL_KNOWN_QUALIFIERS = new Set(['repository_url', 'download_url', 'vcs_url', 'file_name', 'checksum']);
/** Git hosts whose owner/repository paths are case-insensitive. */
const CASE_INSENSITIVE_GIT_HOSTS = new Set(['github', 'github.com', 'gitlab.com', 'bitbucket.org']);

/** Canonical percent-encoding of one component segment (fix 1). */
function encodeSegment(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_~:]/.test(c)) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function decode(s: string, what: string, purl: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new PurlError(`bad percent-encoding in ${what}`, purl);
  }
}

function splitRight(s: string, sep: string): [string, string | undefined] {
  const i = s.lastIndexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function cleanSubpath(raw: string, purl: string): string | undefined {
  // '.' and '..' segments are dropped, also when percent-encoded: a subpath never climbs out.
  const segs = raw.split('/').map((x) => decode(x, 'subpath', purl)).filter((x) => x !== '' && x !== '.' && x !== '..');
  if (segs.some((x) => x.includes('/'))) throw new PurlError('subpath segment may not contain "/"', purl);
  return segs.length ? segs.join('/') : undefined;
}

/** Splits a purl string into raw decoded components following the spec's parsing steps. */
function splitPurl(input: string, strict: boolean): PurlInput {
  if (typeof input !== 'string') throw new PurlError('not a string');
  if (input.length > MAX_PURL_LENGTH) throw new PurlError(`longer than ${MAX_PURL_LENGTH} characters`);
  const purl = input.trim();
  // packageurl-js checks the scheme and the absence of a URL authority.
  try {
    PackageURL.parseString(purl);
  } catch (e) {
    throw new PurlError(e instanceof Error ? e.message : String(e), purl);
  }
  const [beforeHash, rawSubpath] = splitRight(purl, '#');
  const [beforeQuery, rawQualifiers] = splitRight(beforeHash, '?');
  let rest = beforeQuery;
  const colon = rest.indexOf(':');
  if (colon === -1 || rest.slice(0, colon).toLowerCase() !== 'pkg') throw new PurlError('missing "pkg:" scheme', purl);
  rest = rest.slice(colon + 1).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new PurlError('missing type or name', purl);
  const type = rest.slice(0, slash);
  rest = rest.slice(slash + 1).replace(/\/+$/, '');

  // Fix 3: '@' separates the version only when it is after the last '/'.
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1 && at > rest.lastIndexOf('/')) {
    version = decode(rest.slice(at + 1), 'version', purl);
    rest = rest.slice(0, at);
  }
  const [rawNs, rawName] = splitRight(rest, '/');
  const name = rawName === undefined ? decode(rawNs, 'name', purl) : decode(rawName, 'name', purl);
  const nsSegs = rawName === undefined ? [] : rawNs.split('/').filter((x) => x !== '').map((x) => decode(x, 'namespace', purl));
  if (nsSegs.some((x) => x.includes('/'))) throw new PurlError('namespace segment contains "/"', purl);

  let qualifiers: Record<string, string> | undefined;
  if (rawQualifiers) {
    qualifiers = {};
    for (const pair of rawQualifiers.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new PurlError(`qualifier ${JSON.stringify(pair)} has no key=value form`, purl);
      const rawKey = pair.slice(0, eq);
      // Fix 4: in strict mode a type-specific key must already be lowercase; the spec's own
      // well-known keys are read case-insensitively (the purl-spec suite asks both).
      if (strict && rawKey !== rawKey.toLowerCase() && !WELL_KNOWN_QUALIFIERS.has(rawKey.toLowerCase())) throw new PurlError(`qualifier key ${JSON.stringify(rawKey)} is not lowercase`, purl);
      const key = rawKey.toLowerCase();
      // Fix 2: a literal '+' is a plus, not a space.
      const value = decode(pair.slice(eq + 1), `qualifier ${key}`, purl);
      if (value === '') continue;
      if (key in qualifiers) throw new PurlError(`duplicate qualifier ${JSON.stringify(key)}`, purl);
      qualifiers[key] = value;
    }
  }
  return {
    type: decode(type, 'type', purl),
    namespace: nsSegs.length ? nsSegs.join('/') : undefined,
    name,
    version,
    qualifiers,
    subpath: rawSubpath !== undefined ? cleanSubpath(rawSubpath, purl) : undefined,
  };
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return s === null || s === undefined || s === '' ? undefined : s;
}

/** Normalises and validates components; throws PurlError. */
function normalise(input: PurlInput, purlText?: string): PurlParts {
  const where = purlText;
  const rawType = nonEmpty(input.type);
  const rawName = nonEmpty(input.name);
  if (rawType === undefined) throw new PurlError('type is required', where);
  if (rawName === undefined) throw new PurlError('name is required', where);
  let namespace = nonEmpty(input.namespace);
  let name = rawName;
  const type = rawType.toLowerCase();

  // Git: the namespace is the host, the name is the whole path on it (it may hold '/').
  if (type === 'git' && namespace?.includes('/')) {
    const i = namespace.indexOf('/');
    name = namespace.slice(i + 1) + '/' + name;
    namespace = namespace.slice(0, i);
  }

  let qualifiers: Record<string, string> | undefined;
  if (input.qualifiers) {
    for (const [k, v] of Object.entries(input.qualifiers)) {
      if (v === null || v === undefined || v === '') continue;
      if (typeof v !== 'string') throw new PurlError(`qualifier ${k} is not a string`, where);
      (qualifiers ??= {})[k.toLowerCase()] = v;
    }
  }

  let p: PackageURL;
  try {
    // packageurl-js validates the components and applies its per-type normalisation. Git
    // names with '/' and npm names are handled around it (fixes 5, 6).
    p = new PackageURL(type, namespace, type === 'git' ? name.replace(/\//g, '_') : name, nonEmpty(input.version), qualifiers, nonEmpty(input.subpath));
  } catch (e) {
    throw new PurlError(e instanceof Error ? e.message : String(e), where);
  }
  const out: PurlParts = { type: p.type, name: type === 'git' || type === 'npm' ? name : p.name };
  if (p.namespace) out.namespace = p.namespace;
  if (p.version) out.version = p.version;
  if (p.qualifiers && Object.keys(p.qualifiers).length) {
    out.qualifiers = {};
    for (const k of Object.keys(p.qualifiers).sort()) out.qualifiers[k] = p.qualifiers[k];
  }
  if (p.subpath) out.subpath = p.subpath;
  applyTypeRules(out, where);
  return out;
}

/** Fix 6: rules from the purl-spec type definitions that packageurl-js does not apply. */
function applyTypeRules(p: PurlParts, where?: string): void {
  if (NAMESPACE_PROHIBITED.has(p.type) && p.namespace) throw new PurlError(`${p.type} purls have no namespace`, where);
  if (NAMESPACE_REQUIRED.has(p.type) && !p.namespace) throw new PurlError(`${p.type} purls need a namespace`, where);
  if (p.namespace && NAMESPACE_CASE_INSENSITIVE.has(p.type)) p.namespace = p.namespace.toLowerCase();
  if (NAME_CASE_INSENSITIVE.has(p.type)) p.name = p.name.toLowerCase();
  switch (p.type) {
    case 'npm':
      // packageurl-js lowercases scopes and names (the name is restored, fix 5). The definition
      // calls scopes case sensitive, but the registry has only ever allowed lowercase ones, so
      // lowercasing one from an SBOM can only help it match.
      if (p.namespace) p.namespace = p.namespace.toLowerCase();
      break;
    case 'git':
      if (p.namespace && CASE_INSENSITIVE_GIT_HOSTS.has(p.namespace.toLowerCase())) {
        p.namespace = p.namespace.toLowerCase();
        p.name = p.name.toLowerCase();
      }
      break;
    case 'chrome-extension':
      if (!/^[a-p]{32}$/.test(p.name)) throw new PurlError('chrome-extension name must be 32 letters a-p', where);
      if (p.version !== undefined && !/^\d+(\.\d+){0,3}$/.test(p.version)) throw new PurlError('chrome-extension version must be 1 to 4 dot-separated numbers', where);
      break;
    case 'cpan':
      if (p.name.includes('::')) throw new PurlError('cpan names are distribution names, not module names (no "::")', where);
      break;
    case 'julia':
      if (!p.qualifiers?.uuid) throw new PurlError('julia purls need a uuid qualifier', where);
      break;
  }
}

/** Canonical string of normalised components (fix 1). */
function encode(p: PurlParts): string {
  let s = `pkg:${p.type}/`;
  if (p.namespace) s += p.namespace.split('/').map(encodeSegment).join('/') + '/';
  // A git name is a path; other names are a single segment.
  s += p.type === 'git' ? p.name.split('/').map(encodeSegment).join('/') : encodeSegment(p.name);
  if (p.version) s += '@' + encodeSegment(p.version);
  if (p.qualifiers && Object.keys(p.qualifiers).length) {
    s += '?' + Object.keys(p.qualifiers).sort().map((k) => `${k}=${encodeSegment(p.qualifiers![k])}`).join('&');
  }
  if (p.subpath) s += '#' + p.subpath.split('/').map(encodeSegment).join('/');
  return s;
}

/**
 * Parses a purl. Strict by default (as the spec's parse tests require: type-specific qualifier
 * keys must be lowercase); `lenient` lowercases them instead. Throws PurlError.
 */
export function parsePurl(purl: string, opts: { lenient?: boolean } = {}): PurlParts {
  return normalise(splitPurl(purl, !opts.lenient), purl);
}

/** Parses, or undefined when the string is not a valid purl. */
export function tryParsePurl(purl: string): PurlParts | undefined {
  return lenientParse(purl);
}

/**
 * Matching parses every package's purl each time an SBOM is matched (the server re-matches
 * stored SBOMs when advisories arrive): parses are remembered. Callers must not mutate them.
 */
const lenientParse = memoizeParse((purl: string): PurlParts | undefined => {
  try {
    return Object.freeze(parsePurl(purl, { lenient: true }));
  } catch {
    return undefined;
  }
}, 50_000);

/** Builds the canonical purl string from components. Throws PurlError. */
export function buildPurl(parts: PurlInput): string {
  return encode(normalise(parts));
}

/** Reads a purl leniently (uppercase qualifier keys accepted) and writes it canonically. */
export function canonicalPurl(purl: string): string {
  return encode(normalise(splitPurl(purl, false), purl));
}

/** What catalogers know about a package; purlFor turns it into a canonical purl. */
export interface PurlFields {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  /** CPU architecture (deb, rpm, apk: `arch`). */
  arch?: string;
  /** rpm epoch; 0 and absent are the same and are left out. */
  epoch?: number | string;
  /** Distro as `<id>-<version>` (e.g. debian-12, alpine-3.20, rhel-9.4). */
  distro?: string;
  /** Source package: deb source, rpm source RPM, apk origin. Left out when it equals the name. */
  upstream?: string;
  /** Any other qualifiers; empty values are dropped. */
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

/**
 * The purl for a package found in an image. Never throws: a package whose fields cannot
 * form a valid purl gets a `generic` purl with the same name and version, so it still has
 * an identifier.
 */
export function purlFor(f: PurlFields): string {
  const qualifiers: Record<string, string | undefined> = { ...f.qualifiers };
  if (f.arch) qualifiers.arch = f.arch;
  if (f.epoch !== undefined && String(f.epoch) !== '' && String(f.epoch) !== '0') qualifiers.epoch = String(f.epoch);
  if (f.distro) qualifiers.distro = f.distro;
  if (f.upstream && f.upstream !== f.name) qualifiers.upstream = f.upstream;
  try {
    return buildPurl({ type: f.type, namespace: f.namespace, name: f.name, version: f.version, qualifiers, subpath: f.subpath });
  } catch {
    try {
      return buildPurl({ type: 'generic', name: f.name || 'unknown', version: f.version });
    } catch {
      return 'pkg:generic/unknown';
    }
  }
}

/** `<distro id>-<version id>` as the distro qualifier spells it (debian-12, alpine-3.20). */
export function distroQualifier(d: { id: string; versionId?: string } | undefined): string | undefined {
  if (!d?.id) return undefined;
  return d.versionId ? `${d.id}-${d.versionId}` : d.id;
}
