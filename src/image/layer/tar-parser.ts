import { ScoutError } from '../../util/errors.js';
import { checksumOk, num, parsePax, str } from './tar-header.js';

export interface TarHeader {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory, others as in POSIX tar. */
  type: string;
  size: number;
  mode: number;
  linkname: string;
}

/**
 * Where a regular file's bytes go. Chunks are views into the stream's buffers, delivered in
 * order and synchronously; a sink that keeps them must not expect them to be copied for it.
 */
export interface BodySink {
  write(chunk: Buffer): void;
  /** The whole body has been delivered. */
  end(): void;
}

/**
 * Called once per entry. For a regular file it may return a sink for the body; without one the
 * bytes are skipped without being looked at. `head` is the body's first bytes (up to 512, or
 * the whole body if smaller) when they are already at hand, so most files can be judged
 * without a sink. It may throw to fail the layer.
 */
export type EntryHandler = (h: TarHeader, head?: Buffer) => BodySink | undefined | void;

/** How much of a body `head` shows. */
export const HEAD_BYTES = 512;

const BLOCK = 512;
const MAX_EXT_HEADER = 1024 * 1024;

function isZeroBlock(b: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** 'ustar' at offset 257 (both the POSIX 'ustar\0' and the old GNU 'ustar ' magic). */
/**
 * POSIX ustar ("ustar\0"), the only format with a name prefix at 345. Old GNU headers say
 * "ustar " (a space, then " \0") and keep atime and ctime there: GNU tar's incremental mode
 * (`-G`) fills them, and reading them as a prefix named every member "15305633765/…".
 */
function hasUstarPrefix(h: Buffer, off: number): boolean {
  return h[off + 257] === 0x75 && h[off + 258] === 0x73 && h[off + 259] === 0x74 && h[off + 260] === 0x61 && h[off + 261] === 0x72 && h[off + 262] === 0;
}

const enum State { Header, Extension, Body, Padding, Done }

const truncated = () => new ScoutError('truncated-layer', 'tar ends in the middle of an entry');

/**
 * A push parser for tar streams, written for layers of many small files: `push` handles every
 * header and body byte in a chunk synchronously, so a layer costs one await per chunk rather
 * than several per entry. Headers are read in place from the chunk; only a header split across
 * two chunks is copied. Understands ustar, pax (path, linkpath, size) and GNU long names.
 * After the end-of-archive block the rest is ignored (the caller still reads it to the end so
 * digest checks on the stream run).
 */
export class TarParser {
  private state = State.Header;
  /** A header or extension split across chunks is assembled here. */
  private partial: Buffer = Buffer.allocUnsafe(BLOCK);
  private have = 0;
  /** Bytes left of the current body, extension or padding. */
  private left = 0;
  private pad = 0;
  private extType = 0;
  private sink: BodySink | undefined;
  private pax: Record<string, string> | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;

  constructor(private readonly onEntry: EntryHandler) {}

  /** True once the end-of-archive block has been seen. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** True while the body of the entry last handed to onEntry has not all come. */
  get inBody(): boolean {
    return this.state === State.Body;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.state) {
        case State.Header: {
          if (this.have === 0 && len - pos >= BLOCK) {
            this.header(chunk, pos, len);
            pos += BLOCK;
          } else {
            const n = Math.min(BLOCK - this.have, len - pos);
            chunk.copy(this.partial, this.have, pos, pos + n);
            this.have += n;
            pos += n;
            if (this.have === BLOCK) {
              this.have = 0;
              this.header(this.partial, 0, BLOCK);
            }
          }
          break;
        }
        case State.Body: {
          const n = Math.min(this.left, len - pos);
          this.sink?.write(n === len && pos === 0 ? chunk : chunk.subarray(pos, pos + n));
          pos += n;
          this.left -= n;
          if (this.left === 0) this.endBody();
          break;
        }
        case State.Extension: {
          const n = Math.min(this.left - this.have, len - pos);
          chunk.copy(this.partial, this.have, pos, pos + n);
          this.have += n;
          pos += n;
          if (this.have === this.left) this.endExtension();
          break;
        }
        case State.Padding: {
          const n = Math.min(this.left, len - pos);
          pos += n;
          this.left -= n;
          if (this.left === 0) this.state = State.Header;
          break;
        }
        case State.Done:
          return;
      }
    }
  }

  /** The stream ended: throws when it stopped inside a header, an extension or a body. */
  end(): void {
    if (this.state === State.Body || this.state === State.Extension || (this.state === State.Header && this.have > 0)) throw truncated();
    // A final entry without padding or end blocks is tolerated, as GNU tar does.
  }

  /** Parses the header at `off`; `end` is where the bytes at hand in `h` stop. */
  private header(h: Buffer, off: number, end: number): void {
    if (h[off] === 0 && isZeroBlock(h, off)) {
      this.state = State.Done;
      return;
    }
    if (!checksumOk(h, off)) throw new ScoutError('corrupt-layer', 'invalid tar header (checksum mismatch)');
    let size = num(h, off + 124, 12);
    if (!Number.isFinite(size) || size < 0) throw new ScoutError('corrupt-layer', 'invalid tar header (size field)');
    const typeByte = h[off + 156];
    // x: pax header, g: pax global header, L/K: GNU long name/link.
    if (typeByte === 0x78 || typeByte === 0x67 || typeByte === 0x4c || typeByte === 0x4b) {
      if (size > MAX_EXT_HEADER) throw new ScoutError('corrupt-layer', `tar extended header of ${size} bytes is over the ${MAX_EXT_HEADER}-byte limit`);
      this.extType = typeByte;
      this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (this.partial.length < size) this.partial = Buffer.allocUnsafe(Math.max(size, 2 * this.partial.length));
      this.left = size;
      this.have = 0;
      this.state = State.Extension;
      if (size === 0) this.endExtension();
      return;
    }
    let type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
    const pax = this.pax;
    let name = pax?.path ?? this.longName;
    if (name === undefined) {
      const prefix = hasUstarPrefix(h, off) ? str(h, off + 345, 155) : '';
      name = prefix ? `${prefix}/${str(h, off, 100)}` : str(h, off, 100);
    }
    const linkname = pax?.linkpath ?? this.longLink ?? (h[off + 157] === 0 ? '' : str(h, off + 157, 100));
    // An empty value deletes the keyword (POSIX pax): the header's own size stands.
    if (pax?.size !== undefined && pax.size !== '') {
      const s = Number(pax.size);
      if (!Number.isSafeInteger(s) || s < 0) throw new ScoutError('corrupt-layer', `invalid pax size "${pax.size.slice(0, 64)}" for member "${name.slice(0, 256)}"`);
      size = s;
    }
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    const mode = num(h, off + 100, 8) || 0;
    if (type === '0' && name.endsWith('/')) type = '5';
    if (type === '5' && name.endsWith('/')) name = name.replace(/\/+$/, '');
    const isFile = type === '0' || type === '7';
    const want = Math.min(size, HEAD_BYTES);
    const body = off + BLOCK;
    const head = isFile && want > 0 && end - body >= want ? h.subarray(body, body + want) : undefined;
    const sink = this.onEntry({ name, type, size, mode, linkname }, head);
    this.sink = isFile && sink ? sink : undefined;
    this.left = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size > 0) this.state = State.Body;
    else this.endBody();
  }

  private endBody(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
    this.afterData();
  }

  private endExtension(): void {
    const data = this.partial.subarray(0, this.left);
    if (this.extType === 0x78) this.pax = parsePax(data);
    else if (this.extType === 0x4c) this.longName = str(data, 0, data.length);
    else if (this.extType === 0x4b) this.longLink = str(data, 0, data.length);
    this.have = 0;
    this.afterData();
  }

  private afterData(): void {
    this.left = this.pad;
    this.state = this.pad > 0 ? State.Padding : State.Header;
  }
}

/**
 * Parse a tar stream to its end with `onEntry` called for every entry (see TarParser). The
 * source is read to its end even after the end-of-archive block, so digest checks on it run.
 */
export async function parseTar(source: AsyncIterable<Buffer>, onEntry: EntryHandler): Promise<void> {
  const parser = new TarParser(onEntry);
  for await (const chunk of source) if (!parser.done) parser.push(chunk);
  parser.end();
}
