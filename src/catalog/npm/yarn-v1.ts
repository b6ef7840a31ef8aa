import { MAX_ENTRIES_PER_FILE } from '../limits.js';
/*
 * Yarn classic (v1) lockfile syntax: a small indentation-based format, not YAML.
 *
 *   "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
 *     version "7.10.4"
 *     resolved "https://registry.yarnpkg.com/..."
 *     dependencies:
 *       "@babel/highlight" "^7.10.4"
 */

export interface YarnV1Entry {
  /** The descriptors ("name@range") this entry resolves. */
  specs: string[];
  fields: Record<string, string>;
  blocks: Record<string, Record<string, string>>;
  line: number;
}

const MAX_ENTRIES = MAX_ENTRIES_PER_FILE;

/** Tokens of a line: quoted strings (with \" escapes) or bare words; commas separate keys. */
function tokens(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === ',' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let t = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        t += s[j++];
      }
      out.push(t);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== ' ' && s[j] !== ',' && s[j] !== '\t') j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

export function parseYarnV1(text: string): YarnV1Entry[] {
  const entries: YarnV1Entry[] = [];
  let cur: YarnV1Entry | undefined;
  let block: Record<string, string> | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      if (entries.length >= MAX_ENTRIES) break;
      block = undefined;
      const head = body.endsWith(':') ? body.slice(0, -1) : body;
      cur = { specs: tokens(head).filter(Boolean), fields: {}, blocks: {}, line: n + 1 };
      entries.push(cur);
      continue;
    }
    if (!cur) continue;
    if (indent <= 2) {
      block = undefined;
      if (body.endsWith(':')) {
        const name = tokens(body.slice(0, -1))[0];
        if (name) block = cur.blocks[name] = {};
        continue;
      }
      const [k, ...rest] = tokens(body);
      if (k) cur.fields[k] = rest.join(' ');
      continue;
    }
    if (block) {
      const [k, ...rest] = tokens(body);
      if (k) block[k] = rest.join(' ');
    }
  }
  return entries;
}

/** "name@range" → name and range; the '@' of a scope is not a separator. */
export function splitDescriptor(spec: string): { name: string; range: string } {
  const at = spec.indexOf('@', 1);
  return at > 0 ? { name: spec.slice(0, at), range: spec.slice(at + 1) } : { name: spec, range: '' };
}
