import { MAX_ENTRIES_PER_FILE } from '../limits.js';
/**
 * Cargo.lock: `[[package]]` tables with string keys and string arrays. Only that subset of
 * TOML is read (no dependency on a TOML library); anything else is skipped, not fatal.
 */

export interface CargoLockPackage {
  name: string;
  version: string;
  source?: string;
  checksum?: string;
  /** As written: "name", "name version" or "name version (source)". */
  dependencies: string[];
}

const MAX_PACKAGES = MAX_ENTRIES_PER_FILE;
const MAX_DEPENDENCIES = 10_000;

/** A TOML basic or literal string; undefined when the value is not a string. */
function tomlString(v: string): string | undefined {
  const t = v.trim();
  if (t.startsWith("'")) {
    const end = t.indexOf("'", 1);
    return end > 0 ? t.slice(1, end) : undefined;
  }
  if (!t.startsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < t.length; i++) {
    const c = t[i];
    if (c === '"') return out;
    if (c === '\\' && i + 1 < t.length) {
      const e = t[++i];
      if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const cp = parseInt(t.slice(i + 1, i + 1 + len), 16);
        if (Number.isFinite(cp) && cp <= 0x10ffff) out += String.fromCodePoint(cp);
        i += len;
      } else out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
    } else out += c;
  }
  return undefined;
}

/** Every string in an array body like `["a", "b",]` (comments already stripped per line). */
function tomlStrings(body: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;
  for (const m of body.matchAll(re)) {
    const s = m[1] !== undefined ? tomlString(`"${m[1]}"`) : m[2];
    if (s !== undefined && out.length < MAX_DEPENDENCIES) out.push(s);
  }
  return out;
}

/** Drop a trailing `# comment` that is outside any string. */
function stripComment(line: string): string {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

export function parseCargoLock(text: string): CargoLockPackage[] {
  const out: CargoLockPackage[] = [];
  let cur: Record<string, string | string[]> | undefined;
  const flush = () => {
    if (cur && typeof cur.name === 'string' && typeof cur.version === 'string' && out.length < MAX_PACKAGES) {
      const p: CargoLockPackage = { name: cur.name, version: cur.version, dependencies: Array.isArray(cur.dependencies) ? cur.dependencies : [] };
      if (typeof cur.source === 'string') p.source = cur.source;
      if (typeof cur.checksum === 'string') p.checksum = cur.checksum;
      out.push(p);
    }
    cur = undefined;
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]).trim();
    if (!line) continue;
    if (line.startsWith('[')) {
      flush();
      if (line === '[[package]]') cur = {};
      continue;
    }
    if (!cur) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().replace(/^"|"$/g, '');
    let value = line.slice(eq + 1).trim();
    if (value.startsWith('[')) {
      // Arrays span lines until the closing bracket.
      let last = value;
      while (!last.trimEnd().endsWith(']') && i + 1 < lines.length) {
        last = stripComment(lines[++i]);
        value += '\n' + last;
      }
      cur[key] = tomlStrings(value);
    } else {
      const s = tomlString(value);
      if (s !== undefined) cur[key] = s;
    }
  }
  flush();
  return out;
}
