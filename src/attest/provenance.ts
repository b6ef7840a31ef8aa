/**
 * The facts a SLSA provenance predicate gives about a build, the same for v0.2 and v1 and for
 * BuildKit's extensions: materials with digests, the base image, the VCS source and revision,
 * the Dockerfile (path and, in mode=max, content), build arguments and the frontend.
 */
import { PredicateTypes, type Statement } from './types.js';

export interface Material {
  uri: string;
  digest: Record<string, string>;
}

export interface Provenance {
  predicateType: string;
  buildType?: string;
  builderId?: string;
  /** BuildKit's frontend: dockerfile.v0 or gateway.v0. */
  frontend?: string;
  /** The gateway frontend image, when one was used (args.source). */
  frontendImage?: string;
  /** Build arguments (`build-arg:` prefix stripped); only in mode=max provenance. */
  buildArgs: Record<string, string>;
  /** The config source: a remote context URL and its digest, and the Dockerfile path. */
  configSource?: { uri?: string; digest?: Record<string, string>; path?: string };
  vcs?: { source?: string; revision?: string };
  dockerfile?: { path?: string; content?: string };
  materials: Material[];
  /** The image the final stage was built FROM, with its digest, when the materials tell. */
  baseImage?: { name: string; digest?: string; platform?: string; how: string };
  startedOn?: string;
  finishedOn?: string;
  invocationId?: string;
  reproducible?: boolean;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function digestMap(v: unknown): Record<string, string> | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, d] of Object.entries(o)) if (typeof d === 'string') out[k] = d;
  return Object.keys(out).length ? out : undefined;
}

function materials(v: unknown): Material[] {
  if (!Array.isArray(v)) return [];
  const out: Material[] = [];
  for (const m of v) {
    const o = obj(m);
    const uri = str(o?.uri);
    if (uri) out.push({ uri, digest: digestMap(o?.digest) ?? {} });
  }
  return out;
}

/** BuildKit's metadata extension: vcs, and the frontend source files (the Dockerfile). */
function buildkitMetadata(meta: Obj | undefined): { vcs?: Provenance['vcs']; dockerfile?: Provenance['dockerfile'] } {
  if (!meta) return {};
  const vcsObj = obj(meta.vcs);
  const vcs = vcsObj && (str(vcsObj.source) || str(vcsObj.revision)) ? { ...(str(vcsObj.source) ? { source: str(vcsObj.source) } : {}), ...(str(vcsObj.revision) ? { revision: str(vcsObj.revision) } : {}) } : undefined;
  let dockerfile: Provenance['dockerfile'];
  const infos = obj(meta.source)?.infos;
  if (Array.isArray(infos)) {
    const info = infos.map(obj).find((i) => i && (str(i.language) === 'Dockerfile' || /dockerfile/i.test(str(i.filename) ?? ''))) ?? obj(infos[0]);
    if (info) {
      const data = str(info.data);
      let content: string | undefined;
      if (data) {
        const decoded = Buffer.from(data, 'base64');
        // Base64 of text decodes to text; anything else was written raw.
        content = decoded.length && Buffer.from(decoded.toString('base64')).toString() === data.replace(/\s/g, '') ? decoded.toString('utf8') : data;
      }
      dockerfile = { ...(str(info.filename) ? { path: str(info.filename) } : {}), ...(content !== undefined ? { content } : {}) };
    }
  }
  return { ...(vcs ? { vcs } : {}), ...(dockerfile ? { dockerfile } : {}) };
}

function args(v: unknown): { buildArgs: Record<string, string>; frontendImage?: string } {
  const o = obj(v);
  const buildArgs: Record<string, string> = {};
  let frontendImage: string | undefined;
  for (const [k, val] of Object.entries(o ?? {})) {
    if (typeof val !== 'string') continue;
    if (k.startsWith('build-arg:')) buildArgs[k.slice('build-arg:'.length)] = val;
    else if (k === 'source' || k === 'cmdline') frontendImage ??= val;
  }
  return { buildArgs, ...(frontendImage ? { frontendImage } : {}) };
}

/** `pkg:docker/alpine@3.17?platform=linux%2Famd64` → name, tag/version, platform. */
export function parseDockerPurl(uri: string): { name: string; version?: string; platform?: string } | undefined {
  const m = /^pkg:docker\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(uri);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1]);
  const params = new URLSearchParams(m[3] ?? '');
  const platform = params.get('platform') ?? undefined;
  return { name, ...(m[2] ? { version: decodeURIComponent(m[2]) } : {}), ...(platform ? { platform } : {}) };
}

/** The last FROM of a Dockerfile (the final stage's base), stage names resolved. */
function finalFrom(dockerfile: string): string | undefined {
  const stages = new Map<string, string>();
  let last: string | undefined;
  for (const raw of dockerfile.split(/\r?\n/)) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(raw);
    if (!m) continue;
    const image = stages.get(m[1].toLowerCase()) ?? m[1];
    if (m[2]) stages.set(m[2].toLowerCase(), image);
    last = image;
  }
  return last;
}

function sameImage(ref: string, purlName: string): boolean {
  const strip = (s: string) => s.replace(/^docker\.io\//, '').replace(/^library\//, '').replace(/[:@].*$/, '').toLowerCase();
  return strip(ref) === strip(purlName);
}

/**
 * The base image among the materials: the images the build pulled, less the frontend image.
 * With several (a multi-stage build), the Dockerfile's final FROM picks; without the Dockerfile,
 * the answer is given only when one image remains.
 */
function baseImage(p: Provenance): Provenance['baseImage'] {
  const frontend = p.frontendImage;
  const images = p.materials
    .map((m) => ({ m, purl: parseDockerPurl(m.uri) }))
    .filter((x): x is { m: Material; purl: NonNullable<ReturnType<typeof parseDockerPurl>> } => !!x.purl)
    // The Dockerfile frontend (docker/dockerfile:1) is pulled without a platform.
    .filter((x) => !(frontend && sameImage(frontend, x.purl.name)) && !(/^(docker\.io\/)?docker\/dockerfile(-upstream)?$/.test(x.purl.name) && !x.purl.platform));
  const describe = (x: (typeof images)[number], how: string) => ({
    name: x.purl.version ? `${x.purl.name}:${x.purl.version}` : x.purl.name,
    ...(x.m.digest.sha256 ? { digest: `sha256:${x.m.digest.sha256}` } : {}),
    ...(x.purl.platform ? { platform: x.purl.platform } : {}),
    how,
  });
  const from = p.dockerfile?.content ? finalFrom(p.dockerfile.content) : undefined;
  if (from && from.toLowerCase() !== 'scratch') {
    const hit = images.filter((x) => sameImage(from, x.purl.name));
    if (hit.length) return describe(hit[hit.length - 1], 'the final FROM of the Dockerfile in the provenance, with its digest from the materials');
  }
  if (images.length === 1) return describe(images[0], 'the only image among the provenance materials');
  return undefined;
}

/** Reads SLSA provenance v0.2 or v1; undefined for any other predicate. */
export function readProvenance(st: Statement): Provenance | undefined {
  const pred = obj(st.predicate);
  if (!pred || !st.predicateType.startsWith('https://slsa.dev/provenance/')) return undefined;
  let p: Provenance;
  if (st.predicateType === PredicateTypes.slsaV02) {
    const inv = obj(pred.invocation);
    const params = obj(inv?.parameters);
    const cfg = obj(inv?.configSource);
    const meta = obj(pred.metadata);
    const bk = buildkitMetadata(obj(meta?.['https://mobyproject.org/buildkit@v1#metadata']));
    const a = args(params?.args);
    p = {
      predicateType: st.predicateType,
      ...(str(pred.buildType) ? { buildType: str(pred.buildType) } : {}),
      ...(str(obj(pred.builder)?.id) ? { builderId: str(obj(pred.builder)?.id) } : {}),
      ...(str(params?.frontend) ? { frontend: str(params?.frontend) } : {}),
      ...a,
      ...(cfg ? { configSource: { ...(str(cfg.uri) ? { uri: str(cfg.uri) } : {}), ...(digestMap(cfg.digest) ? { digest: digestMap(cfg.digest) } : {}), ...(str(cfg.entryPoint) ? { path: str(cfg.entryPoint) } : {}) } } : {}),
      ...bk,
      materials: materials(pred.materials),
      ...(str(meta?.buildStartedOn) ? { startedOn: str(meta?.buildStartedOn) } : {}),
      ...(str(meta?.buildFinishedOn) ? { finishedOn: str(meta?.buildFinishedOn) } : {}),
      ...(str(meta?.buildInvocationID) ? { invocationId: str(meta?.buildInvocationID) } : {}),
      ...(typeof meta?.reproducible === 'boolean' ? { reproducible: meta.reproducible } : {}),
    };
  } else {
    const def = obj(pred.buildDefinition);
    const ext = obj(def?.externalParameters);
    const req = obj(ext?.request);
    const cfg = obj(ext?.configSource);
    const run = obj(pred.runDetails);
    const meta = obj(run?.metadata);
    const bk = buildkitMetadata(obj(meta?.buildkit_metadata));
    const a = args(req?.args);
    p = {
      predicateType: st.predicateType,
      ...(str(def?.buildType) ? { buildType: str(def?.buildType) } : {}),
      ...(str(obj(run?.builder)?.id) ? { builderId: str(obj(run?.builder)?.id) } : {}),
      ...(str(req?.frontend) ? { frontend: str(req?.frontend) } : {}),
      ...a,
      ...(cfg ? { configSource: { ...(str(cfg.uri) ? { uri: str(cfg.uri) } : {}), ...(digestMap(cfg.digest) ? { digest: digestMap(cfg.digest) } : {}), ...(str(cfg.path) ? { path: str(cfg.path) } : {}) } } : {}),
      ...bk,
      materials: materials(def?.resolvedDependencies),
      ...(str(meta?.startedOn) ? { startedOn: str(meta?.startedOn) } : {}),
      ...(str(meta?.finishedOn) ? { finishedOn: str(meta?.finishedOn) } : {}),
      ...(str(meta?.invocationID) ? { invocationId: str(meta?.invocationID) } : {}),
      ...(typeof meta?.buildkit_reproducible === 'boolean' ? { reproducible: meta.buildkit_reproducible } : {}),
    };
  }
  // The Dockerfile's path comes from the config source when the metadata did not name it.
  if (p.configSource?.path && !p.dockerfile?.path) p.dockerfile = { ...p.dockerfile, path: p.configSource.path };
  // A build from a Git context names its repository and commit in the config source.
  if (!p.vcs && p.configSource?.uri && /(\.git(#|$)|^git@|^https:\/\/github\.com\/)/.test(p.configSource.uri)) {
    const rev = p.configSource.digest?.sha1 ?? p.configSource.digest?.sha256;
    p.vcs = { source: p.configSource.uri.replace(/#.*$/, ''), ...(rev ? { revision: rev } : {}) };
  }
  const base = baseImage(p);
  if (base) p.baseImage = base;
  return p;
}
