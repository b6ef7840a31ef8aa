/**
 * The apk-tools installed database (/lib/apk/db/installed): one entry per package, entries
 * separated by blank lines, each line "X:value" with a one-letter key. Keys we read:
 * P name, V version, A arch, o origin, m maintainer, T description, L license, U url,
 * I installed size, S package size, t build time, c commit, D depends, p provides,
 * F/R file listing (counted only).
 */
import { MAX_ENTRIES_PER_FILE } from '../limits.js';

export interface ApkEntry {
  /** 1-based line where the entry starts, for warnings. */
  line: number;
  fields: Map<string, string>;
  fileCount: number;
  error?: string;
}

const MAX_ENTRIES = MAX_ENTRIES_PER_FILE;

export function parseInstalled(text: string): ApkEntry[] {
  const out: ApkEntry[] = [];
  let cur: ApkEntry | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') {
      if (cur) out.push(cur);
      if (out.length >= MAX_ENTRIES) return out;
      cur = undefined;
      continue;
    }
    if (!cur) cur = { line: i + 1, fields: new Map(), fileCount: 0 };
    if (line.length < 2 || line[1] !== ':') {
      cur.error ??= `line ${i + 1}: not a "X:value" line`;
      continue;
    }
    const key = line[0];
    const value = line.slice(2);
    if (key === 'R') cur.fileCount++;
    // Keys are per package, except the file listing ones (F, R, a, M, Z) that repeat.
    else if (!cur.fields.has(key)) cur.fields.set(key, value);
  }
  if (cur) out.push(cur);
  return out;
}

/** A dependency or provides token: "so:libc.musl-x86_64.so.1", "busybox=1.36.1-r15", "!conflict", "name>=1". */
export function dependencyName(token: string): string | undefined {
  if (!token || token.startsWith('!')) return undefined;
  const m = /^([^<>=~]+)/.exec(token);
  return m ? m[1] : undefined;
}
