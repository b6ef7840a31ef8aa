import { posix } from 'node:path';

/** One row of a wheel RECORD file: a path relative to the site-packages root. */
export interface RecordRow {
  path: string;
  digest?: string;
  size?: number;
}

const MAX_ROWS = 100_000;

/** Split one CSV line (RECORD uses Python's csv module: quotes only when needed). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const raw of text.split('\n')) {
    if (rows.length >= MAX_ROWS) break;
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const [path, digest, size] = splitCsv(line);
    if (!path) continue;
    const row: RecordRow = { path };
    if (digest) row.digest = digest;
    if (size && /^\d{1,15}$/.test(size)) row.size = Number(size);
    rows.push(row);
  }
  return rows;
}

/** installed-files.txt of an egg-info directory: paths relative to that directory. */
export function parseInstalledFiles(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '').trim()).filter(Boolean).slice(0, MAX_ROWS);
}

/** A RECORD path made absolute against the site-packages root, confined to the image root. */
export function resolveRecordPath(siteRoot: string, rel: string): string {
  return posix.normalize(rel.startsWith('/') ? rel : posix.join(siteRoot, rel));
}
