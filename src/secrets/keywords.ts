/**
 * Which rules may match a file: every rule's keywords looked for in one pass over the bytes.
 * Searching each keyword separately meant some seventy passes over every text file of the image
 * (most of the secret scan's time); this search is itself most of what the scan costs on an
 * image without secrets, so it skips: Wu–Manber over pairs of bytes. A window as long as the
 * shortest keyword (m) slides over the text; the pair of bytes at its end says how far no
 * keyword can start (m − 1 when the pair is in no keyword's first m bytes), and only when the
 * pair ends some keyword's first m bytes are the keywords of that pair compared at the window's
 * start. The tables are typed arrays (a 65,536-slot JS array with holes is looked up slowly).
 */
import type { SecretRule } from './rules.js';

interface Keyword {
  bytes: Buffer;
  /** Indexes (in the rule list) of the rules that have this keyword. */
  rules: number[];
}

export class KeywordIndex {
  /** Shortest keyword's length in bytes: the window. */
  private readonly m: number;
  /** By the byte pair at a window's end: how far the window may move on. */
  private readonly shift = new Uint8Array(65536);
  /** By the byte pair ending a keyword's first m bytes: its group in `groups` (0: none). */
  private readonly group = new Uint16Array(65536);
  private readonly groups: Keyword[][] = [[]];

  constructor(private readonly rules: readonly SecretRule[]) {
    const byText = new Map<string, Keyword>();
    rules.forEach((r, i) => {
      for (const k of r.keywords) {
        if (Buffer.byteLength(k) < 2) throw new Error(`secret rule ${r.id}: keyword "${k}" is shorter than two bytes`);
        const kw = byText.get(k) ?? { bytes: Buffer.from(k), rules: [] };
        if (!kw.rules.includes(i)) kw.rules.push(i);
        byText.set(k, kw);
      }
    });
    const all = [...byText.values()];
    // 255 at most, so shifts fit a byte; a longer shortest keyword only skips less.
    let m = 255;
    for (const k of all) m = Math.min(m, k.bytes.length);
    this.m = m;
    this.shift.fill(m - 1);
    for (const kw of all) {
      const b = kw.bytes;
      for (let q = 2; q <= m; q++) {
        const pair = (b[q - 2] << 8) | b[q - 1];
        if (m - q < this.shift[pair]) this.shift[pair] = m - q;
      }
      const last = (b[m - 2] << 8) | b[m - 1];
      if (this.group[last] === 0) {
        this.group[last] = this.groups.length;
        this.groups.push([]);
      }
      this.groups[this.group[last]].push(kw);
    }
  }

  /** The rules (in rule order) whose keywords occur in `input`; `skip` leaves rules out. */
  candidates(input: Buffer | string, skip?: (r: SecretRule) => boolean): SecretRule[] {
    const buf = typeof input === 'string' ? Buffer.from(input) : input;
    const found = new Uint8Array(this.rules.length);
    const { m, shift, group, groups } = this;
    const len = buf.length;
    for (let i = m - 1; i < len; ) {
      const pair = (buf[i - 1] << 8) | buf[i];
      const s = shift[pair];
      if (s !== 0) {
        i += s;
        continue;
      }
      const start = i - m + 1;
      for (const kw of groups[group[pair]]) {
        const b = kw.bytes;
        if (start + b.length > len) continue;
        let j = 0;
        while (j < b.length && buf[start + j] === b[j]) j++;
        if (j === b.length) for (const r of kw.rules) found[r] = 1;
      }
      i++;
    }
    const out: SecretRule[] = [];
    this.rules.forEach((r, i) => {
      if (found[i] && !skip?.(r)) out.push(r);
    });
    return out;
  }
}
