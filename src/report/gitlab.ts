/**
 * `scout cves --format gitlab`: GitLab's container-scanning report (security report schema
 * 15.x, `artifacts:reports:container_scanning`). Times are written the way the schema's pattern
 * wants them: UTC, seconds, no zone suffix.
 */
import { createHash } from 'node:crypto';
import type { SeverityLevel } from '../match/severity.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { ratingSource } from './advisory-source.js';
import { compareFindings, suppressionText, targetName, vulnerabilityUrl } from './summary.js';
import type { ReportOptions } from './types.js';

export const GITLAB_SCHEMA_VERSION = '15.2.1';

const GITLAB_SEVERITY: Record<SeverityLevel, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', negligible: 'Info', unknown: 'Unknown' };

function gitlabTime(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().slice(0, 19);
}

function identifierType(id: string): string {
  if (/^CVE-/.test(id)) return 'cve';
  if (/^GHSA-/.test(id)) return 'ghsa';
  const prefix = /^([A-Za-z]+)-/.exec(id)?.[1];
  return prefix ? prefix.toLowerCase() : 'advisory';
}

/** A stable UUID-shaped id: the same finding gets the same id in every report. */
function stableId(f: Finding, image: string): string {
  const h = createHash('sha256').update(`${image}\0${f.package.purl}\0${f.id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function operatingSystem(sbom: Sbom): string {
  const d = sbom.distro;
  if (d) return `${d.id} ${d.versionId ?? ''}`.trim();
  return sbom.image?.os.prettyName ?? sbom.image?.os.type ?? 'unknown';
}

/**
 * The finding's CVSS vector with the vendor that gave it. The schema's `cvss_vectors` accepts
 * CVSS 2 and 3.x vectors only, so a CVSS 4 vector is left to the description.
 */
function cvssVectors(f: Finding): { vendor: string; vector: string }[] {
  const v = f.severity.vector;
  if (!v || !(f.severity.cvssVersion === '2.0' || f.severity.cvssVersion === '3.0' || f.severity.cvssVersion === '3.1')) return [];
  const vendor = f.severity.scoreSource === 'nvd' || f.severity.source === 'nvd' ? 'NVD' : (ratingSource(f.severity)?.name ?? 'unknown');
  return [{ vendor, vector: v }];
}

export function writeGitlab(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const image = targetName(sbom, opts.target);
  const end = opts.generatedAt ?? new Date().toISOString();
  const tool = { id: 'iechor-scout', name: 'iEchor Scout', version: opts.tool.version, vendor: { name: 'iEchor' } };
  const vulnerabilities = [...findings].sort(compareFindings).map((f) => {
    const p = f.package;
    const solution = f.fixedVersions.length ? `Upgrade ${p.name} to ${f.fixedVersions.join(' or ')}` : 'No fix is available yet';
    const description = [f.summary, f.severity.vector ? `CVSS ${f.severity.cvssVersion ?? ''} ${f.severity.vector}`.replace(/\s+/g, ' ') : undefined, f.suppressed?.ignored ? suppressionText(f) : f.suppressed ? `VEX: not affected (${f.suppressed.justification})` : undefined, `Affected ranges: ${f.affectedRanges.join(' | ') || 'listed versions'}`]
      .filter(Boolean).join('\n\n');
    return {
      id: stableId(f, image),
      name: `${f.id} in ${p.name}`.slice(0, 255),
      description: description.slice(0, 1_000_000),
      severity: GITLAB_SEVERITY[f.severity.level] ?? 'Unknown',
      solution: solution.slice(0, 7000),
      location: {
        dependency: { package: { name: p.name }, version: p.version },
        operating_system: operatingSystem(sbom),
        image,
      },
      identifiers: [
        ...f.ids.map((id) => ({ type: identifierType(id), name: id, value: id, url: vulnerabilityUrl(id) })),
        // CWE identifiers as GitLab's own analyzers write them.
        ...(f.cwes ?? []).map((c) => ({ type: 'cwe', name: c, value: c.slice(4), url: `https://cwe.mitre.org/data/definitions/${c.slice(4)}.html` })),
      ],
      // The advisory page first, then the advisory's own references.
      links: [...new Set([vulnerabilityUrl(f.id), ...f.references.filter((r) => /^https?:\/\//.test(r))])].slice(0, 20).map((url) => ({ url })),
      ...(cvssVectors(f).length ? { cvss_vectors: cvssVectors(f) } : {}),
    };
  });
  const doc = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'container_scanning',
      status: 'success',
      start_time: gitlabTime(opts.startedAt ?? end),
      end_time: gitlabTime(end),
    },
    vulnerabilities,
    remediations: [],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
