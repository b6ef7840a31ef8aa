/** Picks the reporter for a findings format; each format's module is loaded only when used. */
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import type { FindingsFormat, ReportOptions } from './types.js';

export { FINDINGS_FORMATS, type FindingsFormat, type ReportOptions } from './types.js';

export async function renderFindings(format: FindingsFormat, findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('./json.js')).writeJson(findings, sbom, opts);
    case 'sarif':
      return (await import('./sarif.js')).writeSarif(findings, sbom, opts);
    case 'markdown':
      return (await import('./markdown.js')).writeMarkdown(findings, sbom, opts);
    case 'gitlab':
      return (await import('./gitlab.js')).writeGitlab(findings, sbom, opts);
    case 'cyclonedx':
      return (await import('./cyclonedx.js')).writeCycloneDxVulnerabilities(findings, sbom, opts);
    case 'packages':
      return (await import('./packages.js')).writePackages(findings, sbom, opts);
  }
}
