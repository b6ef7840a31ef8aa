/**
 * `scout cves --format sarif`: SARIF 2.1.0 (OASIS), as GitHub code scanning reads it. One rule per
 * vulnerability id, one result per (package, vulnerability); the result's location is the file
 * that is the package's evidence in the image. `security-severity` carries the CVSS score so
 * GitHub ranks results the way we do.
 */
import type { SeverityLevel } from '../match/severity.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { compareFindings, fixText, suppressionText, targetName, vulnerabilityUrl } from './summary.js';
import type { ReportOptions } from './types.js';
import { imageName } from '../sbom/formats/image-identity.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(level: SeverityLevel): SarifLevel {
  if (level === 'critical' || level === 'high') return 'error';
  if (level === 'medium' || level === 'unknown') return 'warning';
  return 'note';
}

/** GitHub's scale when no CVSS score exists: critical 9+, high 7+, medium 4+, low below. */
const NOMINAL_SCORE: Record<SeverityLevel, number> = { critical: 9.5, high: 8, medium: 5.5, low: 2, negligible: 0.5, unknown: 5 };

/** The scores GitHub files under each level (critical 9.0–10, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9). */
const BAND: Record<SeverityLevel, [number, number]> = { critical: [9, 10], high: [7, 8.9], medium: [4, 6.9], low: [0.1, 3.9], negligible: [0.1, 3.9], unknown: [4, 6.9] };

/**
 * `security-severity` for a level: the CVSS score when it falls in the level's band, else the
 * level's nominal score. GitHub ranks by this number alone, so a finding the distribution
 * calls negligible (CVSS 7.5 upstream) must not show as High there while we show negligible.
 */
export function securitySeverity(level: SeverityLevel, score: number | undefined): string {
  const [lo, hi] = BAND[level];
  const s = score !== undefined && score >= lo && score <= hi + 0.05 ? score : NOMINAL_SCORE[level];
  return s.toFixed(1);
}

/** Where users learn about the tool (GitHub shows it with each alert). */
export const INFORMATION_URI = 'https://www.npmjs.com/package/iechor-scout';

/** An image name as a SARIF category segment: no slashes that would nest it. */
function category(target: string): string {
  return target.replace(/[^A-Za-z0-9._:@-]+/g, '_').slice(0, 200);
}

function artifactUri(path: string): string {
  // Relative to the image root: SARIF consumers resolve relative URIs against the scan root.
  return encodeURI(path.replace(/^\/+/, '')) || '.';
}

export function writeSarif(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const sorted = [...findings].sort(compareFindings);
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  for (const f of sorted) {
    if (ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    const summary = f.summary ?? `${f.id} in ${f.package.name}`;
    rules.push({
      id: f.id,
      name: f.id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: summary },
      fullDescription: { text: `${summary}${f.ids.length > 1 ? ` (also known as ${f.ids.slice(1).join(', ')})` : ''}` },
      helpUri: vulnerabilityUrl(f.id),
      help: {
        text: `${f.id}: ${summary}. Severity ${f.severity.level}${f.severity.score !== undefined ? ` (CVSS ${f.severity.score})` : ''}.`,
        markdown: `**${f.id}** ${summary}\n\nSeverity: ${f.severity.level}${f.severity.vector ? ` (\`${f.severity.vector}\`)` : ''}\n\n${f.references.slice(0, 10).map((r) => `- ${r}`).join('\n')}`,
      },
      defaultConfiguration: { level: sarifLevel(f.severity.level) },
      properties: {
        'security-severity': securitySeverity(f.severity.level, f.severity.score),
        // CWE tags as CodeQL writes them, which GitHub code scanning shows and filters on.
        tags: ['vulnerability', 'security', f.severity.level, ...(f.kev ? ['cisa-kev'] : []), ...(f.cwes ?? []).map((c) => `external/cwe/${c.toLowerCase()}`)],
      },
    });
  }
  const target = targetName(sbom, opts.target);
  const results = sorted.map((f) => {
    const p = f.package;
    const paths = p.locations.length ? p.locations : [{ path: '/' }];
    const result: Record<string, unknown> = {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id),
      level: sarifLevel(f.severity.level),
      message: {
        text: `${p.name} ${p.version} (${p.type}) is affected by ${f.id} (${f.severity.level}); fixed in: ${fixText(f)}. Image: ${target}`,
      },
      locations: paths.map((l) => ({
        physicalLocation: { artifactLocation: { uri: artifactUri(l.path) } },
        logicalLocations: [{ name: p.name, fullyQualifiedName: p.purl, kind: 'package' }],
      })),
      partialFingerprints: { 'packageVulnerability/v1': `${p.purl}|${f.id}` },
      properties: {
        purl: p.purl,
        installedVersion: p.version,
        fixedVersions: f.fixedVersions,
        status: f.status,
        ...(f.kev ? { kev: true } : {}),
        ...(f.epss ? { epss: f.epss.score, epssPercentile: f.epss.percentile } : {}),
      },
    };
    if (f.suppressed) result.suppressions = [{ kind: 'external', status: 'accepted', justification: f.suppressed.ignored ? suppressionText(f)! : f.suppressed.justification }];
    return result;
  });
  const doc = {
    version: '2.1.0',
    $schema: SARIF_SCHEMA,
    runs: [
      {
        tool: { driver: { name: opts.tool.name, version: opts.tool.version, semanticVersion: opts.tool.version, informationUri: INFORMATION_URI, rules } },
        // GitHub keeps one analysis per category: one per image, so two images' uploads do not
        // close each other's alerts.
        automationDetails: { id: `iechor-scout/cves/${category(sbom.image ? imageName(sbom.image) : target)}/`, description: { text: `iEchor Scout vulnerabilities of ${target}` } },
        results,
        properties: { image: target, ...(sbom.image?.digest ? { digest: sbom.image.digest } : {}) },
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
