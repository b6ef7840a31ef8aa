/**
 * Python core metadata (METADATA, PKG-INFO, single-file .egg-info): RFC 822-style headers.
 * Read the way Python's own email parser and importlib.metadata read them: "Key: value"
 * lines, continuation lines starting with a space or tab, and the headers end at the first
 * empty line (what follows is the long description, even when it looks like more headers).
 */

/** Header names lowercased → every value in file order. */
export type Headers = Map<string, string[]>;

/** Most header lines read; a real file has a few hundred at most. */
const MAX_HEADER_LINES = 20_000;
const MAX_VALUE = 64 * 1024;

export function parseHeaders(text: string): Headers {
  const headers: Headers = new Map();
  let key: string | undefined;
  let value = '';
  const flush = () => {
    if (key === undefined) return;
    const list = headers.get(key) ?? [];
    list.push(value.trim());
    headers.set(key, list);
    key = undefined;
  };
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length && i < MAX_HEADER_LINES; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      // Continuation of the previous header (multi-line Description, License texts...).
      if (key !== undefined && value.length < MAX_VALUE) value += '\n' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // Not a header line: Go's and Python's readers give up here too; keep what we have.
      break;
    }
    flush();
    key = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return headers;
}

export function first(h: Headers, name: string): string | undefined {
  const v = h.get(name.toLowerCase())?.find((x) => x.trim() !== '');
  return v === undefined ? undefined : v.trim();
}

export function all(h: Headers, name: string): string[] {
  return (h.get(name.toLowerCase()) ?? []).map((v) => v.trim()).filter((v) => v !== '');
}

/** One Requires-Dist entry: the distribution name and whether only an extra pulls it in. */
export interface Requirement {
  name: string;
  optional: boolean;
  raw: string;
}

/** PEP 508 requirement → name and whether its marker restricts it to an extra. */
export function parseRequirement(raw: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(raw);
  if (!m) return undefined;
  const semi = raw.indexOf(';');
  const marker = semi === -1 ? '' : raw.slice(semi + 1);
  return { name: m[1], optional: /\bextra\s*==/.test(marker), raw: raw.trim() };
}

/** PEP 503 name normalisation: lowercase, runs of '-', '_' and '.' become one '-'. */
export function normalizePythonName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}
