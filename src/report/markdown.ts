/** `scout cves --format markdown`: a summary table and one table per package (for PR comments). */
import { SEVERITY_LEVELS } from '../match/severity.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { countFindings, epssText, plural, fixText, groupByPackage, locationText, severityText, suppressionText, targetName, vulnerabilityUrl } from './summary.js';
import type { ReportOptions } from './types.js';
import { appendAll } from '../util/arrays.js';

/** Table cells must not break the table: pipes escaped, line breaks flattened. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function writeMarkdown(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const c = countFindings(findings);
  const out: string[] = [];
  out.push(`## Vulnerabilities in \`${cell(targetName(sbom, opts.target))}\``, '');
  if (sbom.image?.digest) out.push(`Digest: \`${sbom.image.digest}\``, '');
  out.push('| severity | total | fixable | not fixed |', '|---|---:|---:|---:|');
  for (const l of SEVERITY_LEVELS) out.push(`| ${l} | ${c.bySeverity[l].total} | ${c.bySeverity[l].fixed} | ${c.bySeverity[l].unfixed} |`);
  out.push(`| **all** | **${c.total}** | **${c.fixed}** | **${c.unfixed}** |`, '');
  out.push(`${plural(c.total, 'vulnerability', 'vulnerabilities')} (${c.vulnerabilities} distinct) in ${plural(c.packages, 'package')}${c.kev ? `, ${c.kev} known exploited (CISA KEV)` : ''}.`, '');
  for (const g of groupByPackage(findings)) {
    const p = g.package;
    out.push(`### ${cell(p.name)} ${cell(p.version)} (${p.type})`, '', `\`${p.purl}\``, '');
    if (opts.locations) appendAll(out, locationText(p).map((l) => `- ${cell(l)}`)).push('');
    out.push('| vulnerability | severity | fixed in | KEV | EPSS | summary |', '|---|---|---|---|---|---|');
    for (const f of g.findings) {
      const vex = f.suppressed?.ignored ? ` (${suppressionText(f)})` : f.suppressed ? ` (VEX: not affected, ${f.suppressed.justification})` : '';
      out.push(`| [${f.id}](${vulnerabilityUrl(f.id)}) | ${severityText(f)} | ${cell(fixText(f))} | ${f.kev ? 'yes' : ''} | ${epssText(f)} | ${cell((f.summary ?? '') + vex)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
