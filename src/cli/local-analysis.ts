/**
 * Local analysis against a server (`scout cves|quickview IMAGE --server URL`): the image is
 * catalogued here, and the server receives exactly `{ purls, layerDigests }` — the package URLs
 * the local matcher would query and the layers' diff_ids — and answers findings and the base
 * image. The findings are attached back to the local packages, so every report works as with a
 * local database.
 */
import type { MatchFinding, MatchReply, MatchRequest } from '../server/analyze.js';
import { osOwner } from '../match/matcher.js';
import type { Finding, MatchResult } from '../match/types.js';
import type { Package, Sbom } from '../sbom/model.js';
import type { BaseImageMatch } from '../store/platform-store.js';
import { ScoutError } from '../util/errors.js';

/** Exactly what is sent: nothing else about the image leaves the machine. */
export function localAnalysisRequest(sbom: Sbom): MatchRequest {
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  // Language packages an OS package installed are left to the distribution's advisories, as the
  // local matcher does: their purls are not needed, so they are not sent.
  const purls = [...new Set(sbom.packages.filter((p) => !osOwner(p, byId)).map((p) => p.purl))];
  return { purls, layerDigests: (sbom.image?.layers ?? []).map((l) => l.diffId) };
}

function findingFor(f: MatchFinding, pkg: Package): Finding {
  const { purl: _purl, ...rest } = f;
  return { ...rest, package: { id: pkg.id, name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, locations: pkg.locations }, trace: [] };
}

export interface RemoteMatch {
  result: MatchResult;
  baseImage?: BaseImageMatch;
  server: string;
}

export async function matchOnServer(sbom: Sbom, server: string): Promise<RemoteMatch> {
  const { callApi, resolveLogin } = await import('./server-client.js');
  const login = resolveLogin(server);
  const request = localAnalysisRequest(sbom);
  const { body } = await callApi<MatchReply>(login, { method: 'POST', path: '/v1/match', body: request, gzip: false });
  const byPurl = new Map<string, Package[]>();
  for (const p of sbom.packages) byPurl.set(p.purl, [...(byPurl.get(p.purl) ?? []), p]);
  const findings = body.findings.flatMap((f) => (byPurl.get(f.purl) ?? []).map((p) => findingFor(f, p)));
  const notMatchable = body.notMatchable.flatMap((n) => (byPurl.get(n.purl) ?? []).map((p) => ({ packageId: p.id, name: p.name, purl: p.purl, code: n.code as MatchResult['notMatchable'][number]['code'], reason: n.reason })));
  const result: MatchResult = {
    findings,
    notMatchable,
    skipped: [],
    skippedByReason: {},
    warnings: [],
    stats: { packages: sbom.packages.length, matchable: request.purls.length - body.notMatchable.length, queries: 0, advisoriesEvaluated: 0, withdrawnIgnored: 0 },
  };
  return { result, ...(body.baseImage ? { baseImage: body.baseImage } : {}), server: login.server };
}

/** --ignore-base / --only-base: keep the image's own findings, or the base image's. */
export function splitByBase(findings: Finding[], sbom: Sbom, base: BaseImageMatch | undefined, which: 'ignore' | 'only'): Finding[] {
  if (!base) return which === 'ignore' ? findings : [];
  const ids = new Map(sbom.packages.map((p) => [p.id, p.introducedLayer?.index]));
  return findings.filter((f) => {
    const layer = ids.get(f.package.id);
    // A base whose layers are unknown (named by provenance, not stored) claims none of them.
    const fromBase = layer !== undefined && base.layers !== undefined && layer < base.layers;
    return which === 'only' ? fromBase : !fromBase;
  });
}

export function requireServerFor(flag: string, server: string | undefined): void {
  if (!server) throw new ScoutError('bad-option', `${flag} needs the base image, which a Scout server detects: give --server URL`);
}
