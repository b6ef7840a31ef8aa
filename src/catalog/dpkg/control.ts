/**
 * Debian control-file syntax (deb822), as used by /var/lib/dpkg/status, status.d/* and
 * /var/lib/apt/extended_states: stanzas separated by blank lines, "Field: value" lines, and
 * continuation lines starting with a space or tab.
 */
import { MAX_ENTRIES_PER_FILE } from '../limits.js';

export interface Stanza {
  /** Field names lower-cased (deb822 field names are case-insensitive). */
  fields: Map<string, string>;
  /** 1-based line where the stanza starts, for warnings. */
  line: number;
  /** Set when a line in this stanza could not be parsed. */
  error?: string;
}

/** Hard cap so a hostile status file cannot make us build millions of stanzas. */
const MAX_STANZAS = MAX_ENTRIES_PER_FILE;

export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | undefined;
  let lastKey: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') {
      if (cur) out.push(cur);
      if (out.length >= MAX_STANZAS) return out;
      cur = undefined;
      lastKey = undefined;
      continue;
    }
    if (!cur) cur = { fields: new Map(), line: i + 1 };
    if (line[0] === ' ' || line[0] === '\t') {
      if (lastKey === undefined) {
        cur.error ??= `line ${i + 1}: continuation line without a field`;
        continue;
      }
      cur.fields.set(lastKey, cur.fields.get(lastKey) + '\n' + line.slice(1));
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      cur.error ??= `line ${i + 1}: not a "Field: value" line`;
      lastKey = undefined;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(key)) {
      cur.error ??= `line ${i + 1}: bad field name`;
      lastKey = undefined;
      continue;
    }
    cur.fields.set(key, line.slice(colon + 1).trim());
    lastKey = key;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * A relationship field (Depends, Pre-Depends, Provides) as groups of alternatives:
 * "a (>= 1) | b, c:any" → [["a", "b"], ["c"]]. Version constraints and arch qualifiers are
 * dropped: we link by name.
 */
export function parseRelations(field: string | undefined): string[][] {
  if (!field) return [];
  const groups: string[][] = [];
  for (const part of field.split(',')) {
    const alts = part
      .split('|')
      .map((a) => a.replace(/\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '').replace(/<[^>]*>/g, '').trim().split(/\s+/)[0] ?? '')
      .map((n) => n.replace(/:[a-z0-9-]+$/, ''))
      .filter(Boolean);
    if (alts.length) groups.push(alts);
  }
  return groups;
}

/** The raw entries of a relationship field, as written ("debconf (>= 0.5) | debconf-2.0"). */
export function splitRelationField(field: string | undefined): string[] {
  if (!field) return [];
  return field
    .split(',')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}
