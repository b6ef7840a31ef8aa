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
  // Bigger output chunks: fewer async iterations per MB (the default is 16 KB).
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
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

/**
 * Splits a byte stream into UTF-8 lines (\n or \r\n). A line longer than `maxLineBytes` is not
 * returned whole: it comes back with `tooLong` so the caller can skip it, and reading resumes
 * at the next newline.
 */
export async function* lines(chunks: AsyncIterable<Buffer>, maxLineBytes = INPUT_LIMITS.lineBytes): AsyncGenerator<Line & { tooLong?: boolean }> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let overflow = false;
  let no = 0;
  const emit = (parts: Buffer[]): string => {
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
    // A UTF-8 byte order mark (editors on Windows add one) is not part of the first line.
    const start = no === 1 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    return buf.toString('utf8', start, end);
  };
  for await (const chunk of chunks) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!overflow) {
        if (pendingSize + (end - start) > maxLineBytes) {
          overflow = true;
          pending = [];
          pendingSize = 0;
        } else if (end > start) {
          pending.push(chunk.subarray(start, end));
          pendingSize += end - start;
        }
      }
      if (nl < 0) break;
      no++;
      if (overflow) yield { no, text: '', tooLong: true };
      else yield { no, text: emit(pending) };
      pending = [];
      pendingSize = 0;
      overflow = false;
      start = nl + 1;
    }
  }
  if (overflow || pendingSize > 0) {
    no++;
    if (overflow) yield { no, text: '', tooLong: true };
    else yield { no, text: emit(pending) };
  }
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
