/**
 * Which rules may match a file: every rule's keywords looked for in one pass over the bytes.
 * Searching each keyword separately meant some seventy passes over every text file of the image;
 * this search is itself most of what the scan costs on an image without secrets.
 *
 * The bytes are sampled at every second offset: the three bytes there, hashed, are looked up in
 * a table of the three-byte pieces each keyword has at its offsets 0 and 1. Every keyword is at
 * least four bytes long, so wherever one occurs a sample falls on its first or second byte and
 * sees one of those two pieces; only then are the keywords of that piece compared in full. The
 * step is fixed: Wu–Manber's skips (the search before this one) made every step wait for the
 * table's answer to the previous one, and the fixed step is 1.5× faster for it although it looks
 * at more positions.
 *
 * The bytes are read four at a time where they are 4-byte aligned (an Int32Array over the same
 * memory), two samples per word, and a piece is hashed as one 24-bit number with a single
 * multiplication. The search was nearly all of the secret scan's added time (profiles of a cold
 * `scout sbom --secrets`); counted by valgrind, this loop runs about 17 instructions a byte
 * where reading and hashing byte by byte ran 32, on the benchmark's text and on real JavaScript.
 * Which samples are taken (every second absolute address) does not change what is found: any
 * keyword of four or more bytes has its first or second byte on such an address.
 *
 * Files arrive in chunks (KeywordStream): each chunk is searched where it lies, and a keyword
 * cut by a chunk boundary is found in a small seam of the bytes either side of it, so a file is
 * never put together in memory just to learn that it holds no keyword.
 */
import type { SecretRule } from './rules.js';

interface Keyword {
  bytes: Buffer;
  /** Bit i: rule i (in the rule list) has this keyword. */
  rules: number;
}

/** The hash table has 2^14 slots: small enough to stay in the processor's fastest cache. */
const HASH_BITS = 14;

/** A hash of three bytes given as one number (first byte lowest), to HASH_BITS bits. */
function hash24(piece: number): number {
  return Math.imul(piece, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/** The words read by the search are little-endian; elsewhere it reads byte by byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Shorter ranges are searched byte by byte: a word view costs more than it saves on them. */
const WORDS_MIN_BYTES = 64;

export class KeywordIndex {
  /** By hash of three bytes: bit 0 when a keyword starts with them, bit 1 when one has them at offset 1. */
  private readonly offsets = new Uint8Array(1 << HASH_BITS);
  /** By hash × 2 + offset: the index in `groups` of the keywords with those bytes there (0: none). */
  private readonly groupAt = new Uint16Array(2 << HASH_BITS);
  private readonly groups: Keyword[][] = [[]];
  /** The longest keyword's length in bytes: a chunk's seam is one less either side. */
  readonly longest: number;

  constructor(private readonly rules: readonly SecretRule[]) {
    // Rules are bits of a 32-bit number, so a search allocates nothing.
    if (rules.length > 31) throw new Error(`the keyword index takes at most 31 secret rules, not ${rules.length}`);
    const byText = new Map<string, Keyword>();
    rules.forEach((r, i) => {
      for (const k of r.keywords) {
        if (Buffer.byteLength(k) < 4) throw new Error(`secret rule ${r.id}: keyword "${k}" is shorter than four bytes`);
        const kw = byText.get(k) ?? { bytes: Buffer.from(k), rules: 0 };
        kw.rules |= 1 << i;
        byText.set(k, kw);
      }
    });
    let longest = 4;
    for (const kw of byText.values()) {
      const b = kw.bytes;
      longest = Math.max(longest, b.length);
      for (let o = 0; o < 2; o++) {
        const h = hash24(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16));
        this.offsets[h] |= 1 << o;
        const slot = h * 2 + o;
        if (this.groupAt[slot] === 0) {
          this.groupAt[slot] = this.groups.length;
          this.groups.push([]);
        }
        this.groups[this.groupAt[slot]].push(kw);
      }
    }
    this.longest = longest;
  }

  /** The rules (bits, in rule order) with a keyword that lies wholly within buf[from, to). */
  search(buf: Buffer, from = 0, to = buf.length): number {
    if (to - from < 4) return 0;
    let found = 0;
    // Samples at even addresses: the first at or after `from`, so every keyword's first or
    // second byte is sampled (see the top of the file).
    let i = from + ((buf.byteOffset + from) & 1);
    const base = buf.byteOffset;
    // The aligned words wholly within [from, to).
    const first = ((base + from + 3) & ~3) - base;
    const words = (((base + to) & ~3) - base - first) >> 2;
    if (LITTLE_ENDIAN && to - from >= WORDS_MIN_BYTES && words >= 2) {
      found |= this.searchBytes(buf, i, first, from, to);
      found |= this.searchWords(buf, first, words, from, to);
      // The last word's samples need the byte after it: they are taken byte by byte.
      i = first + 4 * (words - 1);
    }
    return found | this.searchBytes(buf, i, to, from, to);
  }

  /** The samples at i, i + 2, … before `end` whose three bytes lie within buf[, to). */
  private searchBytes(buf: Buffer, i: number, end: number, from: number, to: number): number {
    const offsets = this.offsets;
    let found = 0;
    for (; i < end && i + 2 < to; i += 2) {
      const h = hash24(buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16));
      const f = offsets[h];
      if (f !== 0) found |= this.hit(buf, i, h, f, from, to);
    }
    return found;
  }

  /**
   * The samples at the start and middle of `words` aligned words from buf[first], except the
   * last word's (they need the byte after it). Little-endian: a word's low byte comes first.
   * Two words (four samples) a turn, their four table entries tested in one branch: a hit is
   * rare, and this takes about half the instructions of a byte-by-byte loop.
   */
  private searchWords(buf: Buffer, first: number, words: number, from: number, to: number): number {
    const offsets = this.offsets;
    // Signed words: their values stay small integers to the compiler, where unsigned ones
    // above 2^31 are converted on the way (valgrind: 3% fewer instructions over small files).
    const u = new Int32Array(buf.buffer, buf.byteOffset + first, words);
    let found = 0;
    let w = u[0];
    let k = 1;
    for (; k + 1 < words; k += 2) {
      const n1 = u[k];
      const n2 = u[k + 1];
      const h1 = hash24(w & 0xffffff);
      const h2 = hash24((w >>> 16) | ((n1 & 0xff) << 16));
      const h3 = hash24(n1 & 0xffffff);
      const h4 = hash24((n1 >>> 16) | ((n2 & 0xff) << 16));
      if ((offsets[h1] | offsets[h2] | offsets[h3] | offsets[h4]) !== 0) {
        const at = first + 4 * k - 4;
        found |= this.hit(buf, at, h1, offsets[h1], from, to) | this.hit(buf, at + 2, h2, offsets[h2], from, to) | this.hit(buf, at + 4, h3, offsets[h3], from, to) | this.hit(buf, at + 6, h4, offsets[h4], from, to);
      }
      w = n2;
    }
    for (; k < words; k++) {
      const next = u[k];
      const h1 = hash24(w & 0xffffff);
      const h2 = hash24((w >>> 16) | ((next & 0xff) << 16));
      if ((offsets[h1] | offsets[h2]) !== 0) {
        const at = first + 4 * k - 4;
        found |= this.hit(buf, at, h1, offsets[h1], from, to) | this.hit(buf, at + 2, h2, offsets[h2], from, to);
      }
      w = next;
    }
    return found;
  }

  /** A sample at `i` whose piece has hash `h` and offsets bits `f`: the keywords it may start. */
  private hit(buf: Buffer, i: number, h: number, f: number, from: number, to: number): number {
    if (f === 0) return 0;
    let found = 0;
    if (f & 1) found |= this.compare(buf, i, h * 2, from, to);
    if (f & 2) found |= this.compare(buf, i - 1, h * 2 + 1, from, to);
    return found;
  }

  /** The rules of the keywords in group slot `slot` that occur at `start`. */
  private compare(buf: Buffer, start: number, slot: number, from: number, to: number): number {
    if (start < from) return 0;
    const group = this.groups[this.groupAt[slot]];
    let found = 0;
    for (let g = 0; g < group.length; g++) {
      const kw = group[g];
      const b = kw.bytes;
      if (start + b.length > to) continue;
      let j = 0;
      while (j < b.length && buf[start + j] === b[j]) j++;
      if (j === b.length) found |= kw.rules;
    }
    return found;
  }

  /** The rules of `found` (bits, as search gives them), in rule order; `skip` leaves rules out. */
  rulesOf(found: number, skip?: (r: SecretRule) => boolean): SecretRule[] {
    const out: SecretRule[] = [];
    for (let i = 0; found !== 0 && i < this.rules.length; i++) if (found & (1 << i) && !skip?.(this.rules[i])) out.push(this.rules[i]);
    return out;
  }

  /** The rules (in rule order) whose keywords occur in `input`; `skip` leaves rules out. */
  candidates(input: Buffer | string, skip?: (r: SecretRule) => boolean): SecretRule[] {
    const buf = typeof input === 'string' ? Buffer.from(input) : input;
    return this.rulesOf(this.search(buf), skip);
  }

  /** A search of a file that arrives in chunks; reset it for the next file. */
  stream(): KeywordStream {
    return new KeywordStream(this);
  }
}

/**
 * The keyword search over a file's chunks as they stream by, without joining them: each chunk
 * is searched where it lies, and the seam (the last longest − 1 bytes before it, however many
 * chunks they came from, and its own first longest − 1) is copied aside and searched too: a
 * keyword cut by the boundary lies wholly within it.
 */
export class KeywordStream {
  private found = 0;
  private readonly seam: Buffer;
  /** How many bytes before the next chunk are at the seam's start. */
  private tail = 0;
  private readonly keep: number;

  constructor(private readonly index: KeywordIndex) {
    this.keep = index.longest - 1;
    this.seam = Buffer.alloc(2 * this.keep);
  }

  reset(): void {
    this.found = 0;
    this.tail = 0;
  }

  write(chunk: Buffer): void {
    const { keep, seam } = this;
    const n = chunk.length;
    // The seam's bytes are moved one by one: a few bytes, and most files are a single chunk,
    // where Buffer.copy's call costs more than the loop.
    if (this.tail > 0) {
      const head = Math.min(n, keep);
      for (let j = 0; j < head; j++) seam[this.tail + j] = chunk[j];
      const end = this.tail + head;
      this.found |= this.index.search(seam, 0, end);
      if (n < keep) {
        // The whole chunk is in the seam (searched): what comes next meets its last bytes.
        const from = Math.max(0, end - keep);
        for (let j = from; j < end; j++) seam[j - from] = seam[j];
        this.tail = end - from;
        return;
      }
    }
    this.found |= this.index.search(chunk, 0, n);
    const t = Math.min(n, keep);
    for (let j = 0; j < t; j++) seam[j] = chunk[n - t + j];
    this.tail = t;
  }

  /** Bits of the rules with a keyword in the bytes written since the last reset. */
  get rules(): number {
    return this.found;
  }

  /** Whether any keyword was in the bytes written since the last reset. */
  passed(): boolean {
    return this.found !== 0;
  }
}
