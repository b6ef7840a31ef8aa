import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable, Transform, Writable, pipeline, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { ScoutError } from '../../util/errors.js';
import { defaultLimits, INFLATE_CHUNK_BYTES, type Limits } from '../limits.js';
import { sniffCompression, type Compression } from './compression.js';

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
 * After a failure downstream of the blob's digest check (the inflating or the tar pass
 * stopped: a cap, corrupt data, a bad tar header), the rest of the blob goes on through that
 * check, uninflated, when `verifyAfterFailure` asked for it: the promise says whether the
 * bytes read before the failure are the start of the blob the manifest pins.
 */
const blobChecks = new WeakMap<Readable, BlobCheck>();

export interface BlobCheck {
  /**
   * Settles once the whole blob has passed its digest check (resolves), or failed it or could
   * not be read to its end (rejects).
   */
  done: Promise<void>;
  /** Stop reading the blob: its check is not wanted after all. */
  abort(): void;
}

/**
 * For a stream from openLayerStream with `verifyAfterFailure`, its blob's check; undefined for
 * any other stream: nothing can vouch for what it delivered before a failure.
 */
export function blobCheck(tar: Readable): BlobCheck | undefined {
  return blobChecks.get(tar);
}

/**
 * The uncompressed tar of a layer blob, streamed: compression is sniffed from the bytes (not
 * trusted from the media type), the blob digest and the diff_id are verified as bytes flow,
 * and the output is capped in size and in ratio to the input so a decompression bomb stops
 * early with an error naming the layer.
 *
 * Two pipelines: the blob through its digest check into the inflater, and the inflater on to
 * the tar. A failure of the blob side stops both. A failure on the inflating side stops the
 * blob too, unless `verifyAfterFailure`: then the blob is drained through its digest check
 * (see blobCheck), so what was read before the failure can be kept as the layer's own.
 */
export async function openLayerStream(blob: Readable, opts: LayerStreamOptions & { verifyAfterFailure?: boolean }): Promise<Readable> {
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
  // The pipeline destroys it with the raw error (zlib's, the network's): it fails with one naming the layer.
  const result = new PassThrough({ destroy: (err, cb) => cb(err && wrapStreamError(err, opts.label, compression)) });
  const inflate: Transform = compression === 'none' ? new PassThrough() : compression === 'gzip' ? createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }) : zstdStream(caps);
  const feed = new Feed(inflate);
  let blobDone!: (err: Error | null | undefined) => void;
  const checked = new Promise<void>((resolve, reject) => {
    blobDone = (err) => (err ? reject(wrapStreamError(err, opts.label, compression)) : resolve());
  });
  // Nobody may ask (the layer read whole): a failed check is reported through the tar stream.
  checked.catch(() => {});
  pipeline(stream, compressed, feed, (err) => {
    // The blob failed (its digest, its source): the tar stream fails with it.
    if (err && !inflate.destroyed) inflate.destroy(err);
    blobDone(err);
  });
  const stages: NodeJS.ReadWriteStream[] = compression === 'gzip' ? [inflate, new NextTick(), out] : [inflate, out];
  pipeline([...stages, result] as unknown as [Transform, PassThrough], (err) => {
    if (!err) return;
    result.destroy(wrapStreamError(err, opts.label, compression));
    if (opts.verifyAfterFailure) feed.discard();
    else if (!stream.destroyed) stream.destroy();
  });
  if (opts.verifyAfterFailure) blobChecks.set(result, { done: checked, abort: () => stream.destroy() });
  return result;
}

/**
 * The end of the blob side: hands each chunk to the inflater, waiting when it is full; once
 * the inflating side has failed, takes the rest of the blob without looking at it, so the
 * digest check before it sees every byte.
 */
class Feed extends Writable {
  private discarding = false;
  private waiting: (() => void) | undefined;
  constructor(private readonly to: Writable) {
    super();
  }
  discard(): void {
    this.discarding = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.discarding || this.to.destroyed) {
      cb();
      return;
    }
    if (this.to.write(chunk)) {
      cb();
      return;
    }
    const go = () => {
      this.to.off('drain', go);
      if (this.waiting === go) this.waiting = undefined;
      cb();
    };
    this.waiting = go;
    this.to.on('drain', go);
  }
  override _final(cb: (err?: Error | null) => void): void {
    if (!this.discarding && !this.to.destroyed) this.to.end();
    cb();
  }
}

/** Give zlib/zstd/network errors the layer's name and a plain description. */
export function wrapStreamError(err: Error, label: string, compression?: Compression): ScoutError {
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
