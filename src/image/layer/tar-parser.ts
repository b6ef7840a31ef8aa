import { ScoutError } from '../../util/errors.js';

/** Buffered reads over an async byte stream: exact reads, skips and bounded sub-streams. */
class ByteReader {
  private chunks: Buffer[] = [];
  private avail = 0;
  private eof = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.it.next();
    if (r.done) {
      this.eof = true;
      return false;
    }
    if (r.value.length) {
      this.chunks.push(r.value);
      this.avail += r.value.length;
    }
    return true;
  }

  /** Up to n bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    while (this.avail < n && (await this.pull()));
    const take = Math.min(n, this.avail);
    if (take === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= take) {
      out = first.subarray(0, take);
      if (first.length === take) this.chunks.shift();
      else this.chunks[0] = first.subarray(take);
    } else {
      out = Buffer.allocUnsafe(take);
      let off = 0;
      while (off < take) {
        const c = this.chunks[0];
        const n2 = Math.min(c.length, take - off);
        c.copy(out, off, 0, n2);
        off += n2;
        if (n2 === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(n2);
      }
    }
    this.avail -= take;
    return out;
  }

  /** Discard n bytes; false when the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.avail === 0 && !(await this.pull())) return false;
      const c = this.chunks[0];
      if (!c) continue;
      if (c.length <= left) {
        this.chunks.shift();
        this.avail -= c.length;
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        this.avail -= left;
        left = 0;
      }
    }
    return true;
  }

  /** The next n bytes as chunks, as they arrive. */
  async *slice(n: number, onShort: () => Error): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.avail === 0 && !(await this.pull())) throw onShort();
      const c = this.chunks[0];
      if (!c) continue;
      if (c.length <= left) {
        this.chunks.shift();
        this.avail -= c.length;
        left -= c.length;
        yield c;
      } else {
        this.chunks[0] = c.subarray(left);
        this.avail -= left;
        const out = c.subarray(0, left);
        left = 0;
        yield out;
      }
    }
  }

  /** Read to the end (so digest checks on the stream run). */
  async drain(): Promise<void> {
    this.chunks = [];
    this.avail = 0;
    while (await this.pull()) {
      this.chunks = [];
      this.avail = 0;
    }
  }
}

export interface TarHeader {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory, others as in POSIX tar. */
  type: string;
  size: number;
  mode: number;
  linkname: string;
}

const BLOCK = 512;
const MAX_EXT_HEADER = 1024 * 1024;

/** A numeric header field: octal, or GNU base-256 when the high bit is set. */
export function num(buf: Buffer, off: number, len: number): number {
  if (buf[off] & 0x80) {
    // GNU base-256 for values that do not fit in octal.
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + buf[i];
    return n;
  }
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = buf[i];
    if (c === 0 || c === 0x20) {
      if (n > 0) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) return NaN;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** A NUL-terminated header string. */
export function str(buf: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

export function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === num(h, 148, 8);
}

/** pax extended header records: "<len> key=value\n". */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(data.toString('latin1', i, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * A streaming tar reader written for speed on layers of many small files: headers are parsed
 * straight from the buffered bytes and unwanted contents are skipped without building a stream
 * per entry. Understands ustar, pax (path, linkpath, size) and GNU long names. After the end
 * of the archive the source is read to its end, so digest checks on it still run.
 * `onEntry` gets the body as chunks for regular files; what it leaves unread is skipped.
 */
export async function parseTar(
  source: AsyncIterable<Buffer>,
  onEntry: (h: TarHeader, body: AsyncIterable<Buffer> | undefined) => Promise<void> | void,
): Promise<void> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  const truncated = () => new ScoutError('truncated-layer', 'tar ends in the middle of an entry');
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (true) {
    const h = await r.read(BLOCK);
    if (h.length === 0) return;
    if (h.length < BLOCK) throw truncated();
    if (h.every((b) => b === 0)) {
      await r.drain();
      return;
    }
    if (!checksumOk(h)) throw new ScoutError('corrupt-layer', 'invalid tar header (checksum mismatch)');
    let size = num(h, 124, 12);
    if (!Number.isFinite(size) || size < 0) throw new ScoutError('corrupt-layer', 'invalid tar header (size field)');
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_EXT_HEADER) throw new ScoutError('corrupt-layer', `tar extended header of ${size} bytes is over the ${MAX_EXT_HEADER}-byte limit`);
      const data = await r.read(size);
      if (data.length < size || !(await r.skip(pad(size)))) throw truncated();
      if (type === 'x') pax = parsePax(data);
      else if (type === 'L') longName = str(data, 0, data.length);
      else if (type === 'K') longLink = str(data, 0, data.length);
      continue;
    }
    const ustar = h.toString('latin1', 257, 262) === 'ustar';
    const prefix = ustar ? str(h, 345, 155) : '';
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const linkname = pax.linkpath ?? longLink ?? str(h, 157, 100);
    if (pax.size !== undefined) {
      const s = Number(pax.size);
      if (!Number.isSafeInteger(s) || s < 0) throw new ScoutError('corrupt-layer', `invalid pax size "${pax.size}"`);
      size = s;
    }
    pax = {};
    longName = undefined;
    longLink = undefined;
    const mode = num(h, 100, 8) || 0;
    let t = type;
    if (t === '0' && name.endsWith('/')) t = '5';
    if (t === '5') name = name.replace(/\/+$/, '');
    const isFile = t === '0' || t === '7';
    if (isFile) {
      let consumed = 0;
      const gen = r.slice(size, truncated);
      const body: AsyncIterable<Buffer> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const x = await gen.next();
            if (!x.done) consumed += x.value.length;
            return x;
          },
        }),
      };
      await onEntry({ name, type: t, size, mode, linkname }, body);
      if (consumed < size && !(await r.skip(size - consumed))) throw truncated();
    } else {
      await onEntry({ name, type: t, size, mode, linkname }, undefined);
      if (size > 0 && !(await r.skip(size))) throw truncated();
    }
    if (!(await r.skip(pad(size)))) {
      // A final entry without padding or end blocks: tolerated like GNU tar does.
      return;
    }
  }
}
