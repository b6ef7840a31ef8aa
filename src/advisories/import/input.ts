/**
 * Byte-level input for importers: a file or a Buffer, gzip undone transparently, with caps on
 * what a hostile feed can make us decompress or hold in memory.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';

export const INPUT_LIMITS = {
  /** Total decompressed bytes of a streamed feed (JSON lines, CSV). */
  streamBytes: 8 * 1024 ** 3,
  /** A single-document feed (tracker JSON, KEV) is parsed whole: it must fit this. */
  documentBytes: 512 * 1024 ** 2,
  /** One JSON line (one OSV record / one secdb document). */
  lineBytes: 64 * 1024 ** 2,
  /** How much of the start is read to detect the format. */
  peekBytes: 64 * 1024,
};

export type InputSource = string | Buffer;

/** Size of the decompressed chunks a gzip input is delivered in (zlib's default is 16 KB). */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function rawChunks(input: InputSource): AsyncIterable<Buffer> {
  return typeof input === 'string' ? createReadStream(input, { highWaterMark: 1024 * 1024 }) : Readable.from([input]);
}

/**
 * The decompressed bytes of `input`, chunk by chunk. Throws (from the iteration) on I/O errors,
 * corrupt or truncated gzip, and when more than `maxBytes` come out.
 */
export async function* decodedChunks(input: InputSource, name: string, maxBytes = INPUT_LIMITS.streamBytes): AsyncGenerator<Buffer> {
  const it = rawChunks(input)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  let total = 0;
  const count = (b: Buffer) => {
    total += b.length;
    if (total > maxBytes) throw new ScoutError('feed-too-large', `${name}: more than ${maxBytes} bytes after decompression`, { path: name });
    return b;
  };
  if (!isGzip(first.value)) {
    yield count(first.value);
    for await (const b of rest) yield count(b as Buffer);
    return;
  }
  // Big output chunks: each one is a round trip between this thread and zlib's worker thread,
  // and on a busy machine the importer spent more time waiting for those than zlib took to
  // inflate (shared OSV set: 90–250 ms of waits with 256 KB chunks, 50–145 ms with 1 MB).
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  const source = Readable.from((async function* () {
    yield first.value;
    yield* rest;
  })());
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const b of gunzip) yield count(b as Buffer);
  } catch (err) {
    throw new ScoutError('feed-corrupt', `${name}: ${err instanceof Error ? err.message : String(err)}`, { path: name, cause: err });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** Reads the first `bytes` decoded bytes and hands back an iterable that replays them first. */
export async function peek(chunks: AsyncIterable<Buffer>, bytes = INPUT_LIMITS.peekBytes): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    seen.push(n.value);
    size += n.value.length;
  }
  const head = Buffer.concat(seen).subarray(0, bytes);
  const all = (async function* () {
    yield* seen;
    if (done) return;
    while (true) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  return { head, all };
}

export interface Line {
  /** 1-based line number. */
  no: number;
  text: string;
}

export type SplitLine = Line & {
  tooLong?: boolean;
  /** The bytes `text` was decoded from (no newline, \r or BOM); a view into the input chunk. */
  bytes?: Buffer;
};

/**
 * Splits bytes into UTF-8 lines (\n or \r\n), chunk by chunk and synchronously: a caller that
 * handles a whole chunk's lines before awaiting the next chunk pays one await per chunk, not
 * one per line. A line longer than `maxLineBytes` is not returned whole: it comes back with
 * `tooLong` so the caller can skip it, and splitting resumes at the next newline.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private overflow = false;
  private no = 0;

  constructor(private readonly maxLineBytes = INPUT_LIMITS.lineBytes) {}

  /** The lines this chunk completes, in order. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.overflow) {
        if (this.pendingSize + (end - start) > this.maxLineBytes) {
          this.overflow = true;
          this.pending = [];
          this.pendingSize = 0;
        } else if (nl >= 0 && this.pendingSize === 0) {
          // The common case: the whole line is inside this chunk; decode it in place.
          this.no++;
          out.push(this.line(chunk, start, end));
          start = nl + 1;
          continue;
        } else if (end > start) {
          this.pending.push(chunk.subarray(start, end));
          this.pendingSize += end - start;
        }
      }
      if (nl < 0) break;
      out.push(this.finish());
      start = nl + 1;
    }
    return out;
  }

  /** The last line when the input did not end with a newline (none otherwise). */
  end(): SplitLine[] {
    return this.overflow || this.pendingSize > 0 ? [this.finish()] : [];
  }

  private finish(): SplitLine {
    this.no++;
    let line: SplitLine;
    if (this.overflow) line = { no: this.no, text: '', tooLong: true };
    else {
      const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingSize);
      line = this.line(buf, 0, buf.length);
    }
    this.pending = [];
    this.pendingSize = 0;
    this.overflow = false;
    return line;
  }

  /** Line `this.no` from bytes [start, end): without a trailing \r, and without a BOM on line 1. */
  private line(buf: Buffer, start: number, end: number): SplitLine {
    if (end > start && buf[end - 1] === 0x0d) end--;
    // A UTF-8 byte order mark (editors on Windows add one) is not part of the first line.
    if (this.no === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    return { no: this.no, text: buf.toString('utf8', start, end), bytes: buf.subarray(start, end) };
  }
}

/**
 * Splits a byte stream into UTF-8 lines (\n or \r\n). A line longer than `maxLineBytes` is not
 * returned whole: it comes back with `tooLong` so the caller can skip it, and reading resumes
 * at the next newline.
 */
export async function* lines(chunks: AsyncIterable<Buffer>, maxLineBytes = INPUT_LIMITS.lineBytes): AsyncGenerator<SplitLine> {
  const splitter = new LineSplitter(maxLineBytes);
  for await (const chunk of chunks) yield* splitter.push(chunk);
  yield* splitter.end();
}

/** The whole decoded input as text, refusing more than `maxBytes`. */
export async function readAllText(chunks: AsyncIterable<Buffer>, name: string, maxBytes = INPUT_LIMITS.documentBytes): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of chunks) {
    size += c.length;
    if (size > maxBytes) throw new ScoutError('feed-too-large', `${name}: document larger than ${maxBytes} bytes`, { path: name });
    parts.push(c);
  }
  return Buffer.concat(parts).toString('utf8');
}
