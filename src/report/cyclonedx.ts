/**
 * `scout cves --format cyclonedx`: the image's CycloneDX 1.6 SBOM (the same document
 * `scout sbom --format cyclonedx` writes) with a `vulnerabilities` section: one entry per
 * vulnerability id, affecting the components (by bom-ref) it was found in, rated by the source
 * that decided its severity, with its CWEs and advisory links (NVD's too, once imported), the
 * fix as recommendation and VEX as analysis.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { SeverityLevel } from '../match/severity.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { toCycloneDx } from '../sbom/formats/cyclonedx.js';
import { advisorySource, decidingAdvisory, ratingSource } from './advisory-source.js';
import { compareFindings, suppressionText } from './summary.js';
import type { ReportOptions } from './types.js';

const V = Models.Vulnerability;
const E = Enums.Vulnerability;

const SEVERITY: Record<SeverityLevel, Enums.Vulnerability.Severity> = {
  critical: E.Severity.Critical,
  high: E.Severity.High,
  medium: E.Severity.Medium,
  low: E.Severity.Low,
  negligible: E.Severity.Info,
  unknown: E.Severity.Unknown,
};

const METHOD: Record<string, Enums.Vulnerability.RatingMethod> = {
  '2.0': E.RatingMethod.CVSSv2,
  '3.0': E.RatingMethod.CVSSv3,
  '3.1': E.RatingMethod.CVSSv31,
  '4.0': E.RatingMethod.CVSSv4,
};

const JUSTIFICATION: Record<string, Enums.Vulnerability.AnalysisJustification> = {
  component_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: E.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: E.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: E.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: E.AnalysisJustification.ProtectedByMitigatingControl,
};

function sourceOf(id: string, feed?: string): Models.Vulnerability.Source {
  const s = advisorySource(id, feed);
  return new V.Source({ name: s.name, url: s.url });
}

function webUrl(s: string): string | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function vulnerability(id: string, group: Finding[], refs: Map<string, Models.BomRef>): Models.Vulnerability.Vulnerability {
  const f = group[0];
  const v = new V.Vulnerability({
    bomRef: `vuln:${id}`,
    id,
    // The advisory that gave the finding (a Debian record for a Debian package), not a guess from the id.
    source: sourceOf(decidingAdvisory(f)?.id ?? id, decidingAdvisory(f)?.source),
    description: f.summary,
    published: date(f.published),
    updated: date(f.modified),
    recommendation: group.some((g) => g.fixedVersions.length)
      ? group.filter((g) => g.fixedVersions.length).map((g) => `Upgrade ${g.package.name} to ${g.fixedVersions.join(' or ')}`).join('; ')
      : 'No fix is available yet',
  });
  for (const alias of f.ids.slice(1)) v.references.add(new V.Reference(alias, sourceOf(alias, f.advisories.find((a) => a.id === alias)?.source)));
  // The advisories' own pages (NVD's too, when it was imported: matcher.ts adds them), as
  // well-formed http(s) URLs: the schema wants IRI references.
  for (const url of f.references) {
    const u = webUrl(url);
    if (u) v.advisories.add(new V.Advisory(u));
  }
  const s = f.severity;
  const rs = ratingSource(s);
  const rating = new V.Rating({ severity: SEVERITY[s.level] ?? E.Severity.Unknown, ...(rs ? { source: new V.Source({ name: rs.name, url: rs.url }) } : {}) });
  if (s.from) rating.justification = s.from;
  if (s.score !== undefined) rating.score = s.score;
  if (s.vector !== undefined) rating.vector = s.vector;
  if (s.cvssVersion !== undefined) rating.method = METHOD[s.cvssVersion];
  v.ratings.add(rating);
  // A score that came from another source than the level (Debian's urgency, NVD's CVSS) is a rating of its own.
  if (s.scoreSource && s.scoreSource !== s.source && s.score !== undefined) {
    rating.score = undefined;
    rating.vector = undefined;
    rating.method = undefined;
    const other = new V.Rating({ score: s.score, source: new V.Source({ name: s.scoreSource === 'nvd' ? 'NVD' : advisorySource(f.advisories.find((a) => !/debian|ubuntu|alpine/i.test(a.source))?.id ?? f.id).name }) });
    if (s.vector !== undefined) other.vector = s.vector;
    if (s.cvssVersion !== undefined) other.method = METHOD[s.cvssVersion];
    v.ratings.add(other);
  }
  for (const cwe of f.cwes ?? []) v.cwes.add(Number(cwe.slice(4)));
  for (const g of group) {
    const affect = new V.Affect(refs.get(g.package.id)!);
    affect.versions.add(new V.AffectedSingleVersion(g.package.version, { status: g.status === 'not-affected' ? E.AffectStatus.Unaffected : E.AffectStatus.Affected }));
    v.affects.add(affect);
  }
  const sup = group.find((g) => g.suppressed);
  if (sup?.suppressed?.ignored) {
    // An accepted risk, not a claim that the package is unaffected.
    v.analysis = new V.Analysis({ response: new E.AnalysisResponseRepository([E.AnalysisResponse.WillNotFix]), detail: suppressionText(sup) });
  } else if (sup?.suppressed) {
    v.analysis = new V.Analysis({ state: E.AnalysisState.NotAffected, justification: JUSTIFICATION[sup.suppressed.justification], detail: sup.suppressed.statement?.impactStatement ?? sup.suppressed.justification });
  }
  const props: [string, string][] = [];
  if (f.kev) props.push(['iechor-scout:kev:dateAdded', f.kev.dateAdded]);
  if (f.epss) props.push(['iechor-scout:epss:score', String(f.epss.score)], ['iechor-scout:epss:percentile', String(f.epss.percentile)]);
  for (const [name, value] of props) v.properties.add(new Models.Property(name, value));
  return v;
}

export function writeCycloneDxVulnerabilities(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const bom = toCycloneDx(sbom);
  if (opts.generatedAt) bom.metadata.timestamp = new Date(opts.generatedAt);
  // The findings' package ids are the SBOM's bom-refs; a finding whose package is missing from
  // the SBOM (should not happen) would make a dangling reference, so it is left out.
  const refs = new Map<string, Models.BomRef>();
  for (const c of bom.components) if (c.bomRef.value !== undefined) refs.set(c.bomRef.value, c.bomRef);
  const byId = new Map<string, Finding[]>();
  for (const f of [...findings].sort(compareFindings)) {
    if (!refs.has(f.package.id)) continue;
    const g = byId.get(f.id);
    if (g) g.push(f);
    else byId.set(f.id, [f]);
  }
  for (const [id, group] of byId) bom.vulnerabilities.add(vulnerability(id, group, refs));
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: false, space: 2 }) + '\n';
}
