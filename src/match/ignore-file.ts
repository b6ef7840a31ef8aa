/**
 * `.scoutignore`: vulnerabilities a team has accepted, one per line, as Trivy's `.trivyignore`:
 *
 *   # comment
 *   CVE-2023-4911 pkg:deb/debian/libc6 exp:2027-01-31  # no setuid binary in this image
 *   GHSA-jf85-cpcp-j695 lodash                          # only our build scripts use it
 *   CVE-2022-1234
 *
 * A line is a vulnerability id (matched against every id of a finding, so a CVE also covers the
 * GHSA or distro advisory that names it), then optionally packages (a purl, without version for
 * any version, or a name), an expiry `exp:YYYY-MM-DD` (the rule stops applying after that day)
 * and, after `#`, the reason. Matching findings stay in the report, marked suppressed with the
 * file, line and reason, as a VEX not_affected statement marks them; `--exit-code` does not count
 * them. Anything else on a line is an error naming the file and line: a mistyped rule must not
 * silently ignore nothing (or everything).
 */
import { readFileSync } from 'node:fs';
import { tryParsePurl, type PurlParts } from '../sbom/purl.js';
import { ScoutError, type Warnings } from '../util/errors.js';
import type { Finding, IgnoreRuleRef } from './types.js';
import { purlMatches } from './vex.js';
import { isVulnerabilityId } from '../util/vulnerability-id.js';

export const DEFAULT_IGNORE_FILE = '.scoutignore';

export interface IgnoreRule extends IgnoreRuleRef {
  /** Packages by purl; empty with no names either: every package. */
  purls: PurlParts[];
  names: string[];
}

/** An ignore file's rules; the file must exist (the caller decides whether a missing default is fine). */
export function parseIgnoreFile(text: string, file: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const hash = raw.search(/(^|\s)#/);
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    const reason = hash < 0 ? undefined : raw.slice(hash).replace(/^\s*#\s*/, '').trim() || undefined;
    if (!body) continue;
    const bad = (msg: string): never => {
      throw new ScoutError('ignore-file', `${file}:${line}: ${msg}`, { path: file });
    };
    const [id, ...rest] = body.split(/\s+/);
    if (!isVulnerabilityId(id)) bad(`"${id}" is not a vulnerability id (CVE-2023-4911, GHSA-xxxx-xxxx-xxxx, DSA-5514-1, …)`);
    const rule: IgnoreRule = { file, line, id, purls: [], names: [], ...(reason ? { reason } : {}) };
    for (const tok of rest) {
      if (/^exp:/i.test(tok)) {
        const date = tok.slice(4);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) bad(`"${tok}": the expiry is exp:YYYY-MM-DD`);
        if (rule.expires) bad('two expiry dates');
        rule.expires = date;
      } else if (tok.startsWith('pkg:')) {
        const p = tryParsePurl(tok);
        if (!p) bad(`"${tok}" is not a package URL`);
        rule.purls.push(p!);
        (rule.packages ??= []).push(tok);
      } else if (/^[A-Za-z0-9@][A-Za-z0-9@/._+~-]*$/.test(tok) && !tok.includes(':')) {
        rule.names.push(tok);
        (rule.packages ??= []).push(tok);
      } else bad(`"${tok}" is neither a package (a purl or a name), an expiry (exp:YYYY-MM-DD) nor a reason (after #)`);
    }
    rules.push(rule);
  }
  return rules;
}

export function loadIgnoreFile(file: string, required: boolean): IgnoreRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ScoutError('ignore-file', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: file });
  }
  return parseIgnoreFile(text, file);
}

function expired(rule: IgnoreRule, today: string): boolean {
  return rule.expires !== undefined && rule.expires < today;
}

function coversPackage(rule: IgnoreRule, f: Finding): boolean {
  if (!rule.purls.length && !rule.names.length) return true;
  if (rule.names.includes(f.package.name) || rule.names.includes(f.queriedName)) return true;
  const p = tryParsePurl(f.package.purl);
  return !!p && rule.purls.some((q) => purlMatches(q, p));
}

/**
 * Marks the findings the rules cover as suppressed (a VEX statement already suppressing one
 * keeps it). An expired rule applies to nothing and gets a warning, so the accepted risk is seen
 * again; `now` is for tests.
 */
export function applyIgnoreRules(findings: Finding[], rules: readonly IgnoreRule[], warnings: Warnings, now = new Date()): void {
  const today = now.toISOString().slice(0, 10);
  const live: IgnoreRule[] = [];
  for (const r of rules) {
    if (expired(r, today)) warnings.add('ignore-expired', `${r.file}:${r.line}: the rule for ${r.id} expired on ${r.expires}; its findings are reported again`, { path: r.file });
    else live.push(r);
  }
  if (!live.length) return;
  for (const f of findings) {
    if (f.suppressed) continue;
    const ids = new Set(f.ids.map((x) => x.toUpperCase()));
    const rule = live.find((r) => ids.has(r.id.toUpperCase()) && coversPackage(r, f));
    if (!rule) continue;
    const { purls: _purls, names: _names, ...ref } = rule;
    f.suppressed = { justification: 'ignored', ignored: ref };
  }
}
