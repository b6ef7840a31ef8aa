/**
 * Local analysis: findings and base image for an image the server never sees, from nothing but
 * its package URLs and layer digests (diff_ids). Nothing is written: the purls become an
 * in-memory SBOM for the matcher, the digests become chain IDs for the base-image lookup.
 */
import { chainIds } from '../image/chain-id.js';
import type { Finding, NotMatchable } from '../match/types.js';
import type { Package, Sbom } from '../sbom/model.js';
import { tryParsePurl } from '../sbom/purl.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import { appendAll } from '../util/arrays.js';
import type { PurlAnswer, PurlAnswers } from './purl-answers.js';
import type { BaseImageMatch, OrgStore } from '../store/platform-store.js';

export interface MatchRequest {
  purls: string[];
  layerDigests: string[];
}

/** A finding as local analysis answers it: the matcher's, with the purl for the package. */
export type MatchFinding = Omit<Finding, 'package' | 'trace' | 'suppressed' | 'vex'> & { purl: string };

export interface MatchReply {
  findings: MatchFinding[];
  notMatchable: { purl: string; code: string; reason: string }[];
  baseImage?: BaseImageMatch;
}

/** The package a purl alone describes, as local analysis matches it (undefined: not a package URL). */
export function packageOfPurl(purl: string, id: string): Package | undefined {
  const p = tryParsePurl(purl);
  if (!p) return undefined;
  return { id, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), version: p.version ?? '', type: p.type, purl, licenses: [], locations: [], foundBy: 'purl' };
}

/** Packages from purls alone: what a purl says (type, namespace, name, version, qualifiers). */
export function sbomFromPurls(purls: readonly string[]): { sbom: Sbom; unreadable: string[] } {
  const packages: Package[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const purl of purls) {
    if (seen.has(purl)) continue;
    seen.add(purl);
    const pkg = packageOfPurl(purl, `p${packages.length}`);
    if (pkg) packages.push(pkg);
    else unreadable.push(purl);
  }
  const sbom: Sbom = { schema: 'iechor-scout/sbom@1', generatedAt: new Date().toISOString(), tool: { name: 'iechor-scout', version: 'local-analysis' }, packages, packageCount: packages.length, warnings: [] };
  return { sbom, unreadable };
}

/** The finding's own fields but its package (the purl stands for it) and the CLI-side ones; the lazy trace is never built. */
const NOT_SENT = new Set(['package', 'trace', 'suppressed', 'vex']);

export function matchFindingOf(f: Finding): MatchFinding {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(f)) if (!NOT_SENT.has(k)) out[k] = (f as unknown as Record<string, unknown>)[k];
  out.purl = f.package.purl;
  return out as MatchFinding;
}

/** The request's answers: one per distinct purl, in the order of the request, and the base image. */
interface LocalAnswers {
  ordered: PurlAnswer[];
  baseImage?: BaseImageMatch;
}

/** Numbers each pass over a request's purls (see `seenIn`). */
let passes = 0;

async function localAnswers(req: MatchRequest, advisories: AdvisoryStore, org: OrgStore, answers?: PurlAnswers): Promise<LocalAnswers> {
  // The base image is asked for first, so its query runs while the advisory data's generation
  // is read: on PostgreSQL two round trips at once instead of one after the other.
  const base = org.findBaseImage(chainIds(req.layerDigests));
  const generation = answers ? await answers.current() : undefined;
  const orgId = org.org.id;
  const remembered = generation === undefined ? undefined : answers!.ofOrg(orgId);
  // One pass over the request: each distinct purl's remembered answer, or a gap to fill from
  // the match of the unknown ones. A remembered answer is marked with the pass that took it
  // (the loop never awaits, so no other pass runs meanwhile): a repeated purl costs no second
  // hash lookup, which for 500 purls was most of this loop.
  const pass = ++passes;
  const unknownSeen = new Set<string>();
  const ordered: (PurlAnswer | undefined)[] = [];
  const gaps: number[] = [];
  const unknown: string[] = [];
  for (const purl of req.purls) {
    const a = remembered?.get(purl);
    if (a) {
      if (a.seenIn === pass) continue;
      a.seenIn = pass;
    } else {
      if (unknownSeen.has(purl)) continue;
      unknownSeen.add(purl);
      gaps.push(ordered.length);
      unknown.push(purl);
    }
    ordered.push(a);
  }
  const [fresh, baseImage] = await Promise.all([matchPurls(unknown, advisories), base]);
  if (fresh.complete) await answers?.remember(generation, orgId, fresh.answers);
  gaps.forEach((at, k) => (ordered[at] = fresh.answers.get(unknown[k])!));
  return baseImage ? { ordered: ordered as PurlAnswer[], baseImage } : { ordered: ordered as PurlAnswer[] };
}

/** Unreadable purls first among the not matchable, as the reply lists them. */
function notMatchableOf(ordered: readonly PurlAnswer[]): MatchReply['notMatchable'] {
  const unreadable: MatchReply['notMatchable'] = [];
  const others: MatchReply['notMatchable'] = [];
  for (const a of ordered) if (a.notMatchable) (a.notMatchable.code === 'bad-purl' ? unreadable : others).push(a.notMatchable);
  return unreadable.length ? [...unreadable, ...others] : others;
}

/**
 * Findings and base image for the request. `answers` (the server's memory of earlier answers per
 * purl, see purl-answers.ts) spares matching the purls it knows; the reply is the same either
 * way: findings in the order of the purls, unreadable purls first among the not matchable.
 */
export async function analyzeLocally(req: MatchRequest, advisories: AdvisoryStore, org: OrgStore, answers?: PurlAnswers): Promise<MatchReply> {
  const { ordered, baseImage } = await localAnswers(req, advisories, org, answers);
  const findings: MatchFinding[] = [];
  for (const a of ordered) appendAll(findings, a.findings);
  const reply: MatchReply = { findings, notMatchable: notMatchableOf(ordered) };
  if (baseImage) reply.baseImage = baseImage;
  return reply;
}

/** The reply's serialisers, compiled from its JSON schemas (the route's own, so the output is what Fastify would write). */
export interface MatchReplySerializers {
  findings(list: readonly MatchFinding[]): string;
  notMatchable(list: MatchReply['notMatchable']): string;
  baseImage(base: BaseImageMatch): string;
}

const FINDINGS_OPEN = Buffer.from('{"findings":[');
const COMMA = Buffer.from(',');
const EMPTY = Buffer.alloc(0);

/**
 * analyzeLocally's reply as UTF-8 JSON, assembled from each purl's findings serialised and
 * encoded once: a remembered purl's findings are never serialised again (most of a repeated
 * request's cost was turning the same findings into JSON), nor encoded again (writing the
 * reply as one string made the socket encode 70 KiB of it to UTF-8 on every request).
 */
export async function analyzeLocallyJson(req: MatchRequest, advisories: AdvisoryStore, org: OrgStore, answers: PurlAnswers | undefined, serialize: MatchReplySerializers): Promise<Buffer> {
  const { ordered, baseImage } = await localAnswers(req, advisories, org, answers);
  const parts: Buffer[] = [FINDINGS_OPEN];
  for (const a of ordered) {
    // Set once per answer: the same findings always serialise to the same bytes.
    a.findingsJson ??= a.findings.length ? Buffer.from(serialize.findings(a.findings).slice(1, -1)) : EMPTY;
    if (!a.findingsJson.length) continue;
    if (parts.length > 1) parts.push(COMMA);
    parts.push(a.findingsJson);
  }
  const base = baseImage ? `,"baseImage":${serialize.baseImage(baseImage)}` : '';
  parts.push(Buffer.from(`],"notMatchable":${serialize.notMatchable(notMatchableOf(ordered))}${base}}`));
  return Buffer.concat(parts);
}

/**
 * Each purl's answer from one match of them all. `complete` is false when a store call failed
 * (the matcher then answers without that data): such answers are sent but not remembered.
 */
async function matchPurls(purls: readonly string[], advisories: AdvisoryStore): Promise<{ answers: Map<string, PurlAnswer>; complete: boolean }> {
  const answers = new Map<string, PurlAnswer>();
  if (!purls.length) return { answers, complete: true };
  const { sbom, unreadable } = sbomFromPurls(purls);
  for (const purl of unreadable) answers.set(purl, { findings: [], notMatchable: { purl, code: 'bad-purl', reason: 'not a package URL' } });
  if (!sbom.packages.length) return { answers, complete: true };
  const watched = failureWatching(advisories);
  const { match } = await import('../match/matcher.js');
  const result = await match(sbom, watched.store);
  const findings = new Map<string, MatchFinding[]>();
  for (const f of result.findings) {
    if (f.status === 'not-affected') continue;
    const list = findings.get(f.package.purl);
    if (list) list.push(matchFindingOf(f));
    else findings.set(f.package.purl, [matchFindingOf(f)]);
  }
  const notMatchable = new Map(result.notMatchable.map((n: NotMatchable) => [n.purl, { purl: n.purl, code: n.code, reason: n.reason }]));
  for (const p of sbom.packages) {
    const n = notMatchable.get(p.purl);
    answers.set(p.purl, { findings: findings.get(p.purl) ?? [], ...(n ? { notMatchable: n } : {}) });
  }
  return { answers, complete: !watched.failed() };
}

/** The store, recording whether any of its calls failed (the matcher carries on without the data). */
export function failureWatching(store: AdvisoryStore): { store: AdvisoryStore; failed: () => boolean } {
  let failed = false;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) out.catch(() => (failed = true));
        return out;
      };
    },
  });
  return { store: proxy, failed: () => failed };
}
