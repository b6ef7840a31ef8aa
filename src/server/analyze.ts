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

/** Packages from purls alone: what a purl says (type, namespace, name, version, qualifiers). */
export function sbomFromPurls(purls: readonly string[]): { sbom: Sbom; unreadable: string[] } {
  const packages: Package[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const purl of purls) {
    if (seen.has(purl)) continue;
    seen.add(purl);
    const p = tryParsePurl(purl);
    if (!p) {
      unreadable.push(purl);
      continue;
    }
    packages.push({ id: `p${packages.length}`, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), version: p.version ?? '', type: p.type, purl, licenses: [], locations: [], foundBy: 'purl' });
  }
  const sbom: Sbom = { schema: 'iechor-scout/sbom@1', generatedAt: new Date().toISOString(), tool: { name: 'iechor-scout', version: 'local-analysis' }, packages, packageCount: packages.length, warnings: [] };
  return { sbom, unreadable };
}

export function matchFindingOf(f: Finding): MatchFinding {
  const { package: pkg, trace: _trace, suppressed: _s, vex: _v, ...rest } = f;
  return { ...rest, purl: pkg.purl };
}

export async function analyzeLocally(req: MatchRequest, advisories: AdvisoryStore, org: OrgStore): Promise<MatchReply> {
  const { sbom, unreadable } = sbomFromPurls(req.purls);
  const { match } = await import('../match/matcher.js');
  const [result, baseImage] = await Promise.all([match(sbom, advisories), org.findBaseImage(chainIds(req.layerDigests))]);
  const notMatchable = [
    ...unreadable.map((purl) => ({ purl, code: 'bad-purl', reason: 'not a package URL' })),
    ...result.notMatchable.map((n: NotMatchable) => ({ purl: n.purl, code: n.code, reason: n.reason })),
  ];
  const reply: MatchReply = { findings: result.findings.filter((f) => f.status !== 'not-affected').map(matchFindingOf), notMatchable };
  if (baseImage) reply.baseImage = baseImage;
  return reply;
}
