/**
 * Which rules may match a file: every rule's keywords looked for in one pass over the bytes.
 * Searching each keyword separately meant some seventy passes over every text file of the image
 * (most of the secret scan's time). Here each position is looked up by its first two bytes in
 * a table of the keywords that start with them, and only those are compared.
 */
import type { SecretRule } from './rules.js';

interface Keyword {
  bytes: Buffer;
  /** Indexes (in the rule list) of the rules that have this keyword. */
  rules: number[];
}

export class KeywordIndex {
  private readonly table: (Keyword[] | undefined)[] = new Array<Keyword[] | undefined>(65536);

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
    for (const kw of byText.values()) {
      const key = (kw.bytes[0] << 8) | kw.bytes[1];
      (this.table[key] ??= []).push(kw);
    }
  }

  /** The rules (in rule order) whose keywords occur in `input`; `skip` leaves rules out. */
  candidates(input: Buffer | string, skip?: (r: SecretRule) => boolean): SecretRule[] {
    const buf = typeof input === 'string' ? Buffer.from(input) : input;
    const found = new Uint8Array(this.rules.length);
    const table = this.table;
    const end = buf.length - 1;
    for (let i = 0; i < end; i++) {
      const hits = table[(buf[i] << 8) | buf[i + 1]];
      if (hits === undefined) continue;
      for (const kw of hits) {
        const b = kw.bytes;
        if (i + b.length > buf.length) continue;
        let j = 2;
        while (j < b.length && buf[i + j] === b[j]) j++;
        if (j === b.length) for (const r of kw.rules) found[r] = 1;
      }
    }
    const out: SecretRule[] = [];
    this.rules.forEach((r, i) => {
      if (found[i] && !skip?.(r)) out.push(r);
    });
    return out;
  }
}
