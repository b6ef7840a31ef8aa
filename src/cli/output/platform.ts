/** Text renderings of what the platform API answers (images, base images, usage). */
import type { BaseImageMatch, ImageDetail, ImageSummary, SeverityCounts, StoredFinding, StoredLayer, Usage } from '../../store/platform-store.js';
import type { Workload } from '../../store/kysely/activity-store.js';
import { bytes, short, table } from './text.js';

export function countsText(c: SeverityCounts): string {
  return `${c.critical}C ${c.high}H ${c.medium}M ${c.low}L${c.negligible ? ` ${c.negligible}N` : ''}${c.unknown ? ` ${c.unknown}?` : ''}`;
}

export function baseImageText(b: BaseImageMatch | undefined, total?: number): string {
  if (!b) return 'not found among your images or the public catalogue';
  const name = b.repository ? `${b.repository}${b.tags.length ? ':' + b.tags.join(', :') : ''}` : '(no repository)';
  const layers = b.layers !== undefined ? `${b.layers}${total !== undefined ? ` of ${total}` : ''} layers` : 'not stored on the server';
  const from = b.from === 'provenance' ? `, named by the provenance${b.name ? ` as ${b.name}` : ''}` : '';
  return `${b.repository || !b.name ? name : b.name} ${short(b.digest)} (${layers}${b.catalog ? ', public catalogue' : ''}${from})`;
}

export function imageSummaryText(i: ImageDetail): string {
  const lines = [
    `  digest         ${i.digest}`,
    `  repository     ${i.repository ?? '-'}${i.tags.length ? `  tags: ${i.tags.join(', ')}` : ''}`,
    `  platform       ${i.platform.os}/${i.platform.architecture}${i.platform.variant ? '/' + i.platform.variant : ''}  OS: ${[i.os.name, i.os.version].filter(Boolean).join(' ') || '-'}`,
    `  size           ${bytes(i.size.compressed)} compressed, ${i.layerCount} layers, ${i.packageCount} packages`,
    `  vulnerabilities ${countsText(i.vulnerabilities)}`,
    `  base image     ${baseImageText(i.baseImage, i.layerCount)}`,
    ...(i.policy ? [`  policies       ${i.policy.status}${i.policy.grade ? ` (health ${i.policy.grade})` : ''}`] : []),
    ...(i.provenance ? [`  provenance     ${[i.provenance.vcs?.source, i.provenance.vcs?.revision?.slice(0, 12)].filter(Boolean).join(' @ ') || 'stored'}`] : []),
  ];
  return lines.join('\n');
}

export function imageListText(items: ImageSummary[]): string {
  return table(
    items.map((i) => [i.repository ?? '-', i.tags.join(',') || '-', short(i.digest), `${i.platform.os}/${i.platform.architecture}`, i.pushedAt.slice(0, 19).replace('T', ' '), String(i.packageCount), countsText(i.vulnerabilities)]),
    ['REPOSITORY', 'TAGS', 'DIGEST', 'PLATFORM', 'PUSHED', 'PACKAGES', 'VULNERABILITIES'],
  );
}

export function layersText(layers: StoredLayer[], base: BaseImageMatch | undefined): string {
  return table(
    layers.map((l) => [String(l.position), short(l.diffId), bytes(l.size), base?.layers !== undefined && l.position < base.layers ? 'base' : '', (l.createdBy ?? '').slice(0, 80)]),
    ['#', 'DIFF ID', 'SIZE', '', 'CREATED BY'],
  );
}

export function findingsText(findings: StoredFinding[]): string {
  return table(
    findings.map((f) => [f.vulnerabilityId, f.severity, `${f.packageName} ${f.packageVersion}`, f.fixedVersions[0] ?? 'not fixed', f.kev ? 'KEV' : '']),
    ['VULNERABILITY', 'SEVERITY', 'PACKAGE', 'FIX', ''],
  );
}

export function usageText(items: Usage[], withVulnerability: boolean): string {
  return table(
    items.map((u) => [u.repository ?? '-', u.tags.join(',') || '-', short(u.digest), u.purl, ...(withVulnerability ? [u.severity ?? '-', u.fixedVersions?.[0] ?? 'not fixed'] : [])]),
    ['REPOSITORY', 'TAGS', 'DIGEST', 'PACKAGE', ...(withVulnerability ? ['SEVERITY', 'FIX'] : [])],
  );
}

/** The workloads running affected images now (`scout vuln`), or that none is recorded. */
export function runningText(workloads: Workload[]): string {
  if (!workloads.length) return 'Running in no recorded workload (scout environment and scout environment sync record them)';
  return [
    `Running in ${workloads.length} workload${workloads.length === 1 ? '' : 's'}:`,
    table(
      workloads.map((w) => [w.environment, w.cluster || '-', w.namespace || '-', w.type, w.name, w.imageRef]),
      ['ENVIRONMENT', 'CLUSTER', 'NAMESPACE', 'TYPE', 'NAME', 'IMAGE'],
    ),
  ].join('\n');
}
