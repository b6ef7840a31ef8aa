import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { ScoutError } from '../../util/errors.js';
import { defaultLimits, INFLATE_CHUNK_BYTES, type Limits } from '../limits.js';

export interface LayerStreamOptions {
  /** Expected digest of the bytes as stored (compressed); checked when the blob ends. */
  digest?: string;
  /** Expected digest of the uncompressed tar (diff_id); checked when it ends. */
  diffId?: string;
  /**
   * The blob's size as its descriptor gives it: a blob that runs past it is stopped there (a
   * hostile server need not be read to the end to be caught). One that ends short fails its
   * digest check.
   */
  size?: number;
  /** Words for errors, e.g. "layer 3 (sha256:ab12…)". */
  label: string;
  limits?: Limits;
}

/**
 * Counts and hashes bytes on their way through; fails at the end when the digest differs, or
 * as soon as more bytes than `size` (when given) have come.
 */
class DigestCheck extends Transform {
  private readonly hash: Hash | undefined;
  bytes = 0;
  constructor(
    private readonly expected: string | undefined,
    private readonly what: string,
    private readonly label: string,
    private readonly onBytes?: (n: number) => void,
    private readonly size?: number,
  ) {
    super();
    const algo = expected?.split(':')[0] ?? 'sha256';
    if (!['sha256', 'sha512'].includes(algo)) throw new ScoutError('unsupported-digest', `${label}: unsupported digest algorithm in ${expected}`);
    // Nothing to verify: nothing to hash.
    if (expected !== undefined) this.hash = createHash(algo);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.size !== undefined && this.bytes > this.size) {
      // Not the blob the manifest pins (its digest goes with its size): stop reading now.
      cb(new ScoutError('digest-mismatch', `${this.label}: ${this.what} digest mismatch: expected ${this.expected ?? 'the blob the manifest names'}, got more than the ${this.size} bytes its descriptor gives`, { layer: this.label }));
      return;
    }
    this.hash?.update(chunk);
    try {
      this.onBytes?.(chunk.length);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.hash) {
      const got = `${this.expected!.split(':')[0]}:${this.hash.digest('hex')}`;
      if (got !== this.expected) {
        cb(new ScoutError('digest-mismatch', `${this.label}: ${this.what} digest mismatch: expected ${this.expected}, got ${got}`, { layer: this.label }));
        return;
      }
    }
    cb();
  }
}

/**
 * Hands each chunk on from the next tick. zlib inflates on the thread pool, but its stream
 * pushes each piece straight down the pipe, so this thread hashed and parsed a piece before
 * zlib was asked for the next: inflating and parsing took turns. Handed on a tick later, the
 * next piece inflates while this one is parsed.
 */
class NextTick extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    process.nextTick(cb, null, chunk);
  }
}

/** Compressed bytes handed to fzstd at a time: what one push may inflate is bounded by the caps. */
const ZSTD_PIECE_BYTES = 64 * 1024;

/**
 * zstd through fzstd's push API, as a Node transform. fzstd inflates everything a push holds
 * before it returns (a 336 KB bomb reached 10 GB in one push), so input goes in small pieces
 * and `guard` sees every block it yields (at most 128 KiB each), with the compressed bytes
 * pushed so far: a cap stops the push at the block that crosses it.
 */
function zstdStream(guard: (outBytes: number, inBytes: number) => void): Transform {
  let dec: ZstdDecompress | undefined;
  let inBytes = 0;
  let outBytes = 0;
  const push = (t: Transform, chunk: Uint8Array, final: boolean) => {
    dec ??= new ZstdDecompress((data) => {
      outBytes += data.byteLength;
      guard(outBytes, inBytes);
      t.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
    if (chunk.length <= ZSTD_PIECE_BYTES) {
      inBytes += chunk.length;
      dec.push(chunk, final);
      return;
    }
    for (let at = 0; at < chunk.length; at += ZSTD_PIECE_BYTES) {
      const piece = chunk.subarray(at, at + ZSTD_PIECE_BYTES);
      inBytes += piece.length;
      dec.push(piece, final && at + ZSTD_PIECE_BYTES >= chunk.length);
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        push(this, chunk, false);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        push(this, new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Read just enough of a stream to see its first bytes, then hand back a stream of all of it. */
async function peek(src: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  const it = src[Symbol.asyncIterator]();
  while (have < n) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value as Buffer);
    have += (r.value as Buffer).length;
  }
  const head = Buffer.concat(chunks, have);
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    while (true) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  const stream = Readable.from(rest(), { objectMode: false });
  // A layer stream that fails (a bad digest, a bomb) stops its source too: a network blob must
  // not go on downloading behind it.
  stream.once('close', () => {
    if (!src.destroyed) src.destroy();
  });
  return { head, stream };
}

/**
 * The uncompressed tar of a layer blob, streamed: compression is sniffed from the bytes (not
 * trusted from the media type), the blob digest and the diff_id are verified as bytes flow,
 * and the output is capped in size and in ratio to the input so a decompression bomb stops
 * early with an error naming the layer.
 */
export async function openLayerStream(blob: Readable, opts: LayerStreamOptions): Promise<Readable> {
  const limits = opts.limits ?? defaultLimits();
  const { head, stream } = await peek(blob, 4);
  if (head.length === 0) throw new ScoutError('empty-layer', `${opts.label}: layer blob is empty`, { layer: opts.label });
  const compression = sniffCompression(head);
  const compressed = new DigestCheck(opts.digest, 'blob', opts.label, undefined, opts.size);
  let inBytes = 0;
  compressed.on('data', (c: Buffer) => (inBytes += c.length));
  // An uncompressed blob's diff_id is its digest: checked once, above.
  const diffId = compression === 'none' && opts.diffId === opts.digest ? undefined : compression === 'none' ? opts.diffId ?? opts.digest : opts.diffId;
  const caps = (outBytes: number, inBytes: number) => {
    if (outBytes > limits.maxLayerBytes) {
      throw new ScoutError('layer-too-large', `${opts.label}: uncompressed layer exceeds ${limits.maxLayerBytes} bytes (SCOUT_MAX_LAYER_BYTES); possible decompression bomb`, { layer: opts.label });
    }
    if (compression !== 'none' && outBytes > limits.ratioGraceBytes && outBytes > inBytes * limits.maxCompressionRatio) {
      throw new ScoutError('compression-ratio', `${opts.label}: decompression ratio over ${limits.maxCompressionRatio}:1 (SCOUT_MAX_COMPRESSION_RATIO); possible decompression bomb`, { layer: opts.label });
    }
  };
  const out = new DigestCheck(diffId, 'diff_id', opts.label, () => caps(out.bytes, inBytes));
  const result = new PassThrough();
  const onDone = (err: Error | null | undefined) => {
    if (err) result.destroy(wrapStreamError(err, opts.label, compression));
  };
  if (compression === 'none') pipeline(stream, compressed, out, result, onDone);
  else if (compression === 'gzip') pipeline(stream, compressed, createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), new NextTick(), out, result, onDone);
  else pipeline(stream, compressed, zstdStream(caps), out, result, onDone);
  return result;
}

/** Give zlib/zstd/network errors the layer's name and a plain description. */
export function wrapStreamError(err: Error, label: string, compression?: Compression): Error {
  if (err instanceof ScoutError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
    return new ScoutError('truncated-layer', `${label}: layer is truncated (${compression ?? 'stream'} ended early)`, { layer: label, cause: err });
  }
  if (code?.startsWith('Z_') || /zstd|invalid|incorrect header/i.test(err.message)) {
    return new ScoutError('corrupt-layer', `${label}: layer data is corrupt (${err.message})`, { layer: label, cause: err });
  }
  return new ScoutError('layer-read-failed', `${label}: ${err.message}`, { layer: label, cause: err });
}
