/**
 * One pass of `scout watch`: every tag of every watched repository is compared with what the
 * Scout server has stored for it (GET /v1/repositories/{name}/tags), and only what differs is
 * worked on. A digest the server holds already (under any repository) gets the tag pointed at
 * it (POST /v1/images/{digest}/tags); a new one is analysed here, exactly as `scout push`
 * analyses an image, and stored (POST /v1/images). The server is the memory: nothing is kept
 * on disk between runs, so a restarted watch picks up where the server stands.
 *
 * Images whose tags are unchanged are marked seen (POST /v1/images/seen): the organisation's
 * retention counts from the last sighting, and an image still in the registry is still in use.
 * A tag the server has for a repository whose registry listing no longer has it is removed on
 * the server (DELETE /v1/repositories/{name}/tags/{tag}); the image stays, for retention. Only
 * after that repository's tag list was read whole in this pass: a listing that failed says
 * nothing about which tags are gone.
 *
 * With `serverSide` (scout watch --server-side) a new image is not pulled here: the server is
 * asked to analyse it (POST /v1/images/analyze, from a registry its operator allowed) and the
 * pass waits for that job, so the pass reports the same things either way.
 *
 * A failure (a repository the registry refuses, a manifest that is not one, an image that
 * cannot be read or stored) is recorded with what failed and the pass goes on.
 */
import { callApi, fetchAll, type ServerLogin } from '../cli/server-client.js';
import { waitForJob, type ServerJob } from '../cli/server-jobs.js';
import type { ImageFacts } from '../platform/image-facts.js';
import type { ScanOptions } from '../image/scan.js';
import type { OpenOptions } from '../image/types.js';
import { parseReference } from '../image/reference.js';
import { scanIncomplete, failedLayers } from '../image/incomplete.js';
import type { ImageDetail, PutResult, RepositoryTag } from '../store/platform-store.js';
import { ScoutError } from '../util/errors.js';
import { mapConcurrent } from '../util/map-concurrent.js';
import { isReferrerTag, RegistryView } from './registry-view.js';

/** Tag digests (HEAD requests) asked of the registry at once. */
const TAG_LOOKUPS_AT_ONCE = 8;
/** The most digests POST /v1/images/seen takes. */
const SEEN_PER_CALL = 1000;

export interface WatchTarget {
  view: RegistryView;
  /** Repositories to watch; empty: the registry's catalog. */
  repositories: readonly string[];
  login: ServerLogin;
  open: OpenOptions;
  scan: ScanOptions;
  /** How an image is analysed: `imageFacts` with the push's options (secrets, trust). */
  analyse: (ref: string) => Promise<ImageFacts>;
  /** The body `scout push` sends for those facts. */
  body: (facts: ImageFacts) => Record<string, unknown>;
  /** Ask the server to pull and analyse new images instead (`platform`: os/arch[/variant] to pick). */
  serverSide?: { platform?: string; pollMs?: number };
}

export interface StoredImage {
  /** registry/repository:tag[,tag…]@digest: what was read. */
  reference: string;
  /** The stored image's (manifest) digest. */
  digest: string;
  repository: string;
  tags: string[];
  packages: number;
  vulnerabilities: number;
  /** Layers that could not be read (the image is stored without their packages, as push stores it). */
  incompleteLayers?: string[];
}

export interface PassFailure {
  /** The registry, repository, tag or image that failed. */
  what: string;
  code: string;
  message: string;
}

export interface PassResult {
  registry: string;
  startedAt: string;
  finishedAt: string;
  repositories: number;
  tags: number;
  /** Tags that point where the server already says they do. */
  unchanged: number;
  stored: StoredImage[];
  /** Tags that moved to an image the server already held: pointed at it, nothing analysed. */
  retagged: { repository: string; tag: string; digest: string }[];
  /** Tags the registry no longer lists, removed on the server (the image they pointed at stays). */
  untagged: { repository: string; tag: string; digest: string }[];
  skipped: { what: string; why: string }[];
  failures: PassFailure[];
}

function failureOf(what: string, err: unknown): PassFailure {
  if (err instanceof ScoutError) return { what, code: err.code, message: err.message };
  return { what, code: 'error', message: (err as Error)?.message ?? String(err) };
}

/** The repository name the server files an image of this registry repository under (as push does). */
export function serverRepository(registry: string, repository: string): string {
  const ref = parseReference(`${registry}/${repository}:latest`);
  return `${ref.registry}/${ref.repository}`;
}

/**
 * The server's current tags of a repository, every page of them (a tag left out would look
 * gone from the server and be pointed again); none when it has no such repository yet.
 */
async function storedTags(login: ServerLogin, repository: string): Promise<Map<string, RepositoryTag>> {
  try {
    const items = await fetchAll<RepositoryTag>(login, `/v1/repositories/${encodeURIComponent(repository)}/tags`);
    return new Map(items.map((t) => [t.tag, t]));
  } catch (err) {
    if (err instanceof ScoutError && err.code === 'not-found') return new Map();
    throw err;
  }
}

async function storedImage(login: ServerLogin, digest: string): Promise<boolean> {
  try {
    await callApi<ImageDetail>(login, { method: 'GET', path: `/v1/images/${digest}` });
    return true;
  } catch (err) {
    if (err instanceof ScoutError && err.code === 'not-found') return false;
    throw err;
  }
}

export async function watchPass(w: WatchTarget): Promise<PassResult> {
  const { view, login } = w;
  const result: PassResult = { registry: view.registry, startedAt: new Date().toISOString(), finishedAt: '', repositories: 0, tags: 0, unchanged: 0, stored: [], retagged: [], untagged: [], skipped: [], failures: [] };
  const done = () => ({ ...result, finishedAt: new Date().toISOString() });
  // The server first: without it (unreachable, token refused) nothing can be compared or stored.
  try {
    await callApi(login, { method: 'GET', path: '/v1/whoami' });
  } catch (err) {
    result.failures.push(failureOf(login.server, err));
    return done();
  }
  let repositories: string[];
  try {
    const listing = await view.repositories(w.repositories);
    repositories = listing.names;
    if (listing.rejectedCount) result.failures.push({ what: `the catalog of ${view.registry}`, code: 'registry-bad-response', message: `${listing.rejectedCount} entries are not repository names and were passed over: ${listing.rejected.join(', ')}` });
  } catch (err) {
    if (err instanceof ScoutError && err.code === 'bad-option') throw err;
    result.failures.push(failureOf(`the catalog of ${view.registry}`, err));
    return done();
  }
  result.repositories = repositories.length;
  for (const repository of repositories) await watchRepository(w, repository, result);
  return done();
}

async function watchRepository(w: WatchTarget, repository: string, result: PassResult): Promise<void> {
  const { view, login } = w;
  const name = `${view.registry}/${repository}`;
  const filedUnder = serverRepository(view.registry, repository);
  let tags: string[];
  let stored: Map<string, RepositoryTag>;
  try {
    const listing = await view.tags(repository);
    tags = listing.names.sort();
    if (listing.rejectedCount) result.failures.push({ what: name, code: 'registry-bad-response', message: `${listing.rejectedCount} tags are not tag names and were passed over: ${listing.rejected.join(', ')}` });
    stored = await storedTags(login, filedUnder);
  } catch (err) {
    result.failures.push(failureOf(name, err));
    return;
  }
  const watched: string[] = [];
  for (const tag of tags) {
    if (isReferrerTag(tag)) result.skipped.push({ what: `${name}:${tag}`, why: 'a signature, attestation or referrers tag' });
    else watched.push(tag);
  }
  result.tags += watched.length;
  // One HEAD per tag, a few at once: a repository with thousands of tags on a distant registry
  // would otherwise take a round trip each, one after the other, every pass.
  const digests = await mapConcurrent(watched, TAG_LOOKUPS_AT_ONCE, (tag) => view.tagDigest(repository, tag).catch((err: unknown) => failureOf(`${name}:${tag}`, err)));
  // Tags to work on, grouped by the digest they point at: one analysis per image.
  const changed = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const [i, tag] of watched.entries()) {
    const digest = digests[i];
    if (typeof digest !== 'string') {
      result.failures.push(digest);
      continue;
    }
    const s = stored.get(tag);
    if (s && (s.digest === digest || s.indexDigest === digest)) {
      result.unchanged++;
      seen.add(s.digest);
      continue;
    }
    changed.set(digest, [...(changed.get(digest) ?? []), tag]);
  }
  // Still in the registry: seen, so the organisation's retention does not delete them (and the
  // next pass analyse them again). Images stored or tagged below are marked by that.
  try {
    const digests = [...seen];
    for (let i = 0; i < digests.length; i += SEEN_PER_CALL) await callApi(login, { method: 'POST', path: '/v1/images/seen', body: { digests: digests.slice(i, i + SEEN_PER_CALL) } });
  } catch (err) {
    result.failures.push(failureOf(`${name} (marking its images seen)`, err));
  }
  for (const [digest, group] of changed) await watchImage(w, repository, filedUnder, digest, group, result);
  // The listing was read (a failure returned above): a stored tag not in it was removed from the registry.
  const listed = new Set(tags);
  for (const [tag, s] of stored) {
    if (listed.has(tag)) continue;
    try {
      await callApi(login, { method: 'DELETE', path: `/v1/repositories/${encodeURIComponent(filedUnder)}/tags/${encodeURIComponent(tag)}` });
      result.untagged.push({ repository: filedUnder, tag, digest: s.digest });
    } catch (err) {
      // Gone already (another watch removed it): nothing left to do.
      if (!(err instanceof ScoutError && err.code === 'not-found')) result.failures.push(failureOf(`${name}:${tag} (removing the tag the registry no longer lists)`, err));
    }
  }
}

async function watchImage(w: WatchTarget, repository: string, filedUnder: string, digest: string, tags: string[], result: PassResult): Promise<void> {
  const { view, login } = w;
  const reference = `${view.registry}/${repository}:${tags.join(',')}@${digest}`;
  try {
    const target = await view.target(repository, digest);
    if (target.kind === 'not-an-image') {
      result.skipped.push({ what: reference, why: target.why });
      return;
    }
    if (await storedImage(login, target.manifestDigest)) {
      await callApi<ImageDetail>(login, { method: 'POST', path: `/v1/images/${target.manifestDigest}/tags`, body: { repository: filedUnder, tags } });
      for (const tag of tags) result.retagged.push({ repository: filedUnder, tag, digest: target.manifestDigest });
      return;
    }
    if (w.serverSide) {
      result.stored.push(await analyseOnServer(w, `${view.registry}/${repository}:${tags[0]}@${digest}`, reference, filedUnder, tags));
      return;
    }
    // The digest pins the image; the first tag names it in its metadata, as a pull by tag would.
    const facts = await w.analyse(`registry://${view.registry}/${repository}:${tags[0]}@${digest}`);
    const { sbom } = facts;
    const { body: reply } = await callApi<PutResult>(login, { method: 'POST', path: '/v1/images', query: { repository: filedUnder, tag: tags }, body: w.body(facts), gzip: true });
    const v = reply.image.vulnerabilities;
    const incomplete = scanIncomplete(sbom.warnings) ? failedLayers(sbom.warnings) : undefined;
    result.stored.push({
      reference,
      digest: reply.image.digest,
      repository: filedUnder,
      tags,
      packages: reply.image.packageCount,
      vulnerabilities: Object.values(v).reduce((a, b) => a + b, 0),
      ...(incomplete ? { incompleteLayers: incomplete } : {}),
    });
  } catch (err) {
    // An image only for other platforms than the one watched (--platform, else this machine's)
    // is not a fault of the registry: passed over, saying which platforms it has.
    if (err instanceof ScoutError && err.code === 'platform-not-found') result.skipped.push({ what: reference, why: err.message });
    else result.failures.push(failureOf(reference, err));
  }
}

type AnalyzeJob = ServerJob<{ digest: string; packages: number; incompleteLayers?: string[] }>;

/** How long a pass waits for one server-side analysis before it counts as failed (the job goes on). */
const SERVER_SIDE_WAIT_MS = 15 * 60_000;

/**
 * One new image analysed by the server: queued (the digest pins it, the first tag names it, as
 * a local analysis does), then waited for. A failed job's error ends with its code in
 * parentheses (src/jobs/handlers/analyze-image.ts): an image only for other platforms is passed
 * over by the caller, as locally.
 */
async function analyseOnServer(w: WatchTarget, pinned: string, reference: string, filedUnder: string, tags: string[]): Promise<StoredImage> {
  const { login } = w;
  const platform = w.serverSide?.platform;
  const { body: queued } = await callApi<AnalyzeJob>(login, { method: 'POST', path: '/v1/images/analyze', body: { reference: pinned, ...(platform ? { platform } : {}), repository: filedUnder, tags } });
  const job = await waitForJob(login, queued, { timeoutMs: SERVER_SIDE_WAIT_MS, timeoutCode: 'analysis-timeout', what: "the server's analysis", ...(w.serverSide?.pollMs ? { pollMs: w.serverSide.pollMs } : {}) });
  if (job.state === 'failed' || !job.result) {
    const message = job.error ?? 'the server\'s analysis failed';
    throw new ScoutError(/\(([a-z0-9-]+)\)$/.exec(message)?.[1] ?? 'analysis-failed', message);
  }
  const { body: image } = await callApi<ImageDetail>(login, { method: 'GET', path: `/v1/images/${job.result.digest}` });
  return {
    reference,
    digest: job.result.digest,
    repository: filedUnder,
    tags,
    packages: job.result.packages,
    vulnerabilities: Object.values(image.vulnerabilities).reduce((a, b) => a + b, 0),
    ...(job.result.incompleteLayers?.length ? { incompleteLayers: job.result.incompleteLayers } : {}),
  };
}
