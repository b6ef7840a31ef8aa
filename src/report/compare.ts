/** `scout compare` output: text (a terminal), Markdown (a pull request comment) and JSON. */
import { short, table } from '../cli/output/text.js';
import { SEVERITY_LEVELS } from '../match/severity.js';
import type { BaseImageMatch } from '../store/platform-store.js';
import type { ComparedFinding, ComparedPackage, Comparison, ImageSummary, PackageChange } from '../platform/compare.js';

export const COMPARE_FORMATS = ['text', 'markdown', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

export function renderComparison(c: Comparison, format: CompareFormat): string {
  if (format === 'json') return JSON.stringify(c, null, 2) + '\n';
  return format === 'markdown' ? writeMarkdown(c) : writeText(c);
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a < 1024) return `${sign}${a} B`;
  if (a < 1024 * 1024) return `${sign}${(a / 1024).toFixed(1)} KB`;
  if (a < 1024 * 1024 * 1024) return `${sign}${(a / 1048576).toFixed(1)} MB`;
  return `${sign}${(a / 1073741824).toFixed(2)} GB`;
}

function signed(n: number, render: (n: number) => string = String): string {
  return n > 0 ? `+${render(n)}` : n < 0 ? render(n) : '0';
}

/** A base image in one cell: repository:tag (or @digest when no tag points at it), and its layer count. */
function baseName(b: BaseImageMatch | null): string {
  if (!b) return 'none known';
  const name = b.tags.length ? `${b.repository ?? '(no repository)'}:${b.tags.join(', :')}` : `${b.repository ?? '(no repository)'}@${short(b.digest)}`;
  // A base named by provenance that no stored image matches has no known layer count.
  const layers = b.layers !== undefined ? `${b.layers} layers` : b.from === 'provenance' ? 'named by provenance' : '';
  const notes = [layers, b.catalog ? 'public catalogue' : ''].filter(Boolean);
  return notes.length ? `${name} (${notes.join(', ')})` : name;
}

function summaryRows(c: Comparison): string[][] {
  const row = (label: string, f: (s: ImageSummary) => string, delta = '') => [label, f(c.image), f(c.to), delta];
  const rows = [
    row('digest', (s) => s.digest ?? '-'),
    row('platform', (s) => s.platform ?? '-'),
    row('OS', (s) => s.os ?? '-'),
    ...(c.baseImage ? [['base image', baseName(c.baseImage.image), baseName(c.baseImage.to), c.baseImage.change === 'none' || c.baseImage.change === 'unchanged' ? '' : c.baseImage.change]] : []),
    row('packages', (s) => String(s.packages), signed(c.image.packages - c.to.packages)),
    row('size (compressed)', (s) => bytes(s.size?.compressed), c.sizeDelta ? signed(c.sizeDelta.compressed, bytes) : ''),
    row('size (unpacked)', (s) => bytes(s.size?.uncompressed), c.sizeDelta?.uncompressed !== undefined ? signed(c.sizeDelta.uncompressed, bytes) : ''),
  ];
  for (const l of SEVERITY_LEVELS) {
    const a = c.image.vulnerabilities[l];
    const b = c.to.vulnerabilities[l];
    if (a || b) rows.push(row(l, (s) => String(s.vulnerabilities[l]), signed(a - b)));
  }
  return rows;
}

const pkgName = (p: { namespace?: string; name: string; type: string }) => `${p.namespace ? `${p.namespace}/` : ''}${p.name} (${p.type})`;
const changeRow = (p: PackageChange) => [pkgName(p), p.from, p.to, p.direction === 'upgraded' ? '↑ upgraded' : p.direction === 'downgraded' ? '↓ downgraded' : 'changed'];
const pkgRow = (sign: string) => (p: ComparedPackage) => [`${sign} ${pkgName(p)}`, p.version];
const findingRow = (sign: string) => (f: ComparedFinding) => [
  `${sign} ${f.id}`, f.severity + (f.score !== undefined ? ` ${f.score.toFixed(1)}` : '') + (f.kev ? ' KEV' : ''), `${f.package.name}@${f.package.version}`, f.fixedVersions.length ? f.fixedVersions.join(', ') : 'not fixed',
];

function writeText(c: Comparison): string {
  const out = [`Comparing ${c.image.reference}`, `     with ${c.to.reference}`, ''];
  out.push(table(summaryRows(c), ['', 'IMAGE', 'TO', 'CHANGE']), '');
  const p = c.packages;
  out.push(`Packages: ${p.added.length} added, ${p.removed.length} removed, ${p.changed.length} changed, ${p.unchanged} unchanged`);
  if (p.changed.length) out.push('', table(p.changed.map(changeRow), ['PACKAGE', 'FROM', 'TO', '']));
  if (p.added.length || p.removed.length) out.push('', table([...p.added.map(pkgRow('+')), ...p.removed.map(pkgRow('-'))], ['PACKAGE', 'VERSION']));
  const f = c.findings;
  out.push('', `Vulnerabilities: ${f.added.length} added, ${f.removed.length} removed, ${f.unchanged} unchanged`);
  if (f.added.length || f.removed.length) out.push('', table([...f.added.map(findingRow('+')), ...f.removed.map(findingRow('-'))], ['VULNERABILITY', 'SEVERITY', 'PACKAGE', 'FIXED IN']));
  return out.join('\n') + '\n';
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function writeMarkdown(c: Comparison): string {
  const out = [`## Comparison of \`${c.image.reference}\` with \`${c.to.reference}\``, ''];
  out.push(mdTable(['', 'image', 'to', 'change'], summaryRows(c)), '');
  const p = c.packages;
  out.push(`### Packages: ${p.added.length} added, ${p.removed.length} removed, ${p.changed.length} changed, ${p.unchanged} unchanged`, '');
  if (p.changed.length) out.push(mdTable(['package', 'from', 'to', ''], p.changed.map(changeRow)), '');
  if (p.added.length || p.removed.length) out.push(mdTable(['package', 'version'], [...p.added.map(pkgRow('+')), ...p.removed.map(pkgRow('-'))]), '');
  const f = c.findings;
  out.push(`### Vulnerabilities: ${f.added.length} added, ${f.removed.length} removed, ${f.unchanged} unchanged`, '');
  if (f.added.length || f.removed.length) out.push(mdTable(['vulnerability', 'severity', 'package', 'fixed in'], [...f.added.map(findingRow('+')), ...f.removed.map(findingRow('-'))]), '');
  return out.join('\n');
}
