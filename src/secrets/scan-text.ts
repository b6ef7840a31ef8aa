/**
 * Searching text for secrets. One pass over the bytes for every rule's keywords (keywords.ts)
 * decides which rules run at all (most files have none), so the regular expressions only see
 * the few files that might hold a credential. Values are masked here: nothing past this module ever holds one whole.
 */
import { createHash } from 'node:crypto';
import { isPlaceholder, RULES, type SecretRule } from './rules.js';
import { KeywordIndex, type KeywordStream } from './keywords.js';

/** One hit in one file or string: the value itself is gone, only its mask and hash remain. */
export interface SecretHit {
  rule: string;
  line: number;
  /** The first characters of the value and stars: enough to recognise it, never to use it. */
  masked: string;
  /** sha256 of the value (first 16 hex digits): the same secret in two places has the same one. */
  fingerprint: string;
}

/** Most hits one file may give: a dump of keys is one problem, not a thousand findings. */
const MAX_HITS_PER_FILE = 20;

export function mask(value: string): string {
  const v = value.trim();
  const keep = Math.min(4, Math.floor(v.length / 5));
  return v.slice(0, keep) + '*'.repeat(Math.min(Math.max(v.length - keep, 4), 16));
}

function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

function lineAt(text: string, index: number, starts: { offsets?: number[] }): number {
  if (!starts.offsets) {
    const o = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) o.push(i + 1);
    starts.offsets = o;
  }
  const o = starts.offsets;
  let lo = 0;
  let hi = o.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (o[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const KEYWORDS = new KeywordIndex(RULES);

/**
 * The keyword search over a file's chunks as they stream by: a file it does not pass holds no
 * keyword of any rule, so scanText would find nothing in it (see FileAnalyzer.prefilter).
 */
export function keywordStream(): KeywordStream {
  return KEYWORDS.stream();
}

function candidates(buf: Buffer | string, appCode: boolean): SecretRule[] {
  return KEYWORDS.candidates(buf, appCode ? undefined : (r) => !!r.appOnly);
}

/** One secret value found in a text: the rule, and where the value sits (for masking it in place). */
interface Match {
  rule: SecretRule;
  value: string;
  line: number;
  /** Offset of the value itself (not of the whole match) in the text; -1 unless asked for. */
  start: number;
}

/**
 * Every secret value in a text, in rule order, as the rules and their checks decide; the generic
 * rule does not repeat a value a specific rule named. Stops after `max` hits. `where` asks for
 * the value's exact offset (the `d` flag, which costs time, so the file scan does without).
 */
function findSecrets(input: Buffer | string, appCode: boolean, max: number, where = false): { text: string; found: Match[] } {
  const rules = candidates(input, appCode);
  if (!rules.length) return { text: '', found: [] };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const found: Match[] = [];
  const seen = new Set<string>();
  // A value a specific rule named is not reported again by the generic one (it runs last).
  const named = new Set<string>();
  const starts: { offsets?: number[] } = {};
  for (const rule of rules) {
    const re = new RegExp(rule.pattern.source, rule.pattern.flags + (where ? 'd' : ''));
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++;
      const value = m.groups?.secret ?? m.groups?.secret2 ?? m[0];
      if (!value || isPlaceholder(value) || (rule.validate && !rule.validate(value, m))) continue;
      const line = lineAt(text, m.index, starts);
      const key = `${rule.id}:${line}:${value}`;
      if (seen.has(key) || (rule.appOnly && [...named].some((v) => v.includes(value) || value.includes(v)))) continue;
      seen.add(key);
      if (!rule.appOnly) named.add(value);
      const span = m.indices?.groups?.secret ?? m.indices?.groups?.secret2 ?? m.indices?.[0];
      found.push({ rule, value, line, start: span ? span[0] : -1 });
      if (found.length >= max) return { text, found };
    }
  }
  return { text, found };
}

/**
 * Secrets in a text. `appCode` false (a file inside node_modules, site-packages…) leaves out
 * the generic rule, which would flag every library's variable named `token`.
 */
export function scanText(input: Buffer | string, appCode = true): SecretHit[] {
  const hits = findSecrets(input, appCode, MAX_HITS_PER_FILE).found.map((f) => ({ rule: f.rule.id, line: f.line, masked: mask(f.value), fingerprint: fingerprint(f.value) }));
  return hits.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

/**
 * The text with every secret value the rules find replaced by its mask: for the image metadata
 * (environment values, labels, history commands), which is shown and stored, so that a leaked
 * credential is never repeated in full there either. Text with no secret comes back unchanged.
 */
export function redactSecrets(text: string): string {
  const { found } = findSecrets(text, true, Infinity, true);
  if (!found.length) return text;
  // Right to left, so the offsets of the values still to mask stay valid; overlaps are skipped.
  let out = text;
  let limit = Infinity;
  for (const f of [...found].sort((a, b) => b.start - a.start)) {
    const end = f.start + f.value.length;
    if (end > limit) continue;
    out = out.slice(0, f.start) + mask(f.value) + out.slice(end);
    limit = f.start;
  }
  return out;
}
