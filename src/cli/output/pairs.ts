/**
 * `--format F -o FILE` pairs, repeatable, as `scout cves` and `scout sbom` take them: one run
 * writes several reports (SARIF and GitLab, CycloneDX and SPDX). Checked before the scan, so a
 * mistake costs no scan and no report is silently dropped.
 */
import { resolve } from 'node:path';
import { ScoutError } from '../../util/errors.js';

/** Commander's collector for a repeatable option. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** --format/--output pairs in the order given; a format with no file of its own goes to stdout. */
export function pairOutputs(formats: string[], outputs: string[], allowed: readonly string[], defaultFormat: string): { format: string; file?: string }[] {
  const fs = formats.length ? formats : [defaultFormat];
  for (const f of fs) if (!allowed.includes(f)) throw new ScoutError('bad-format', `--format must be one of ${allowed.join(', ')}, not "${f}"`);
  if (outputs.length > fs.length) {
    if (formats.length === 0 && outputs.length === 1) return [{ format: defaultFormat, file: outputs[0] }];
    throw new ScoutError('bad-option', `${outputs.length} --output files for ${fs.length} --format values: give one --format before each -o`);
  }
  // `-o -` is standard output.
  const pairs = fs.map((format, i) => ({ format, ...(outputs[i] !== undefined && outputs[i] !== '-' ? { file: outputs[i] } : {}) }));
  if (pairs.filter((p) => p.file === undefined).length > 1) throw new ScoutError('bad-option', 'only one --format can go to standard output: give the others an -o FILE');
  // Checked before the scan: two reports in one file would leave only the last one.
  const seen = new Map<string, string>();
  for (const p of pairs) {
    if (p.file === undefined) continue;
    const key = resolve(p.file);
    const other = seen.get(key);
    if (other !== undefined) throw new ScoutError('bad-option', `--format ${other} and --format ${p.format} both go to ${p.file}: give each report its own -o FILE`);
    seen.set(key, p.format);
  }
  return pairs;
}
