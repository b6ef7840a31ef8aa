/**
 * Generates a large multi-layer OCI layout for benchmarks, streamed to disk (never held in
 * memory): many small text files per layer, like a real root file system, plus a few package
 * manifests. Deterministic (seeded), and reused across runs when already present.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

export interface BigImageSpec {
  layers: number;
  filesPerLayer: number;
  /** Average file size in bytes. */
  avgSize: number;
  seed?: number;
}

const WORDS = 'the quick brown fox jumps over lazy dog lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua function return const let var import export class interface'.split(' ');

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function hashing(h: ReturnType<typeof createHash>, onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      h.update(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}

/** Adds one file to the layer being written. */
export type WriteFile = (name: string, body: string | Buffer) => Promise<void>;
export type LayerWriter = (write: WriteFile) => Promise<void>;

/**
 * Writes an OCI layout whose layers are produced by the given writers, streaming each through
 * tar → gzip → disk while hashing both digests. Reused when dir already holds a finished one.
 */
/** A bench image on disk: its layer blobs, the bytes of tar they inflate to, and of files in them. */
export interface BenchImage {
  dir: string;
  blobs: string[];
  /** Bytes of tar the layers inflate to (what zcat writes): headers and padding included. */
  uncompressed: number;
  /** Bytes of file content alone. */
  fileBytes: number;
}

export async function ensureLayout(dir: string, writers: LayerWriter[]): Promise<BenchImage> {
  const marker = join(dir, 'index.json');
  const metaFile = join(dir, 'bench-meta.json');
  if (existsSync(marker) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Partial<BenchImage> & { dir: string; blobs: string[]; uncompressed: number };
    if (meta.fileBytes !== undefined) return meta as BenchImage;
    // Written before tar bytes were counted: its "uncompressed" was the file bytes.
    let tar = 0;
    for (const b of meta.blobs) await pipeline(createReadStream(b), createGunzip(), new Writable({ write: (c: Buffer, _e, cb) => ((tar += c.length), cb()) }));
    const fixed: BenchImage = { dir: meta.dir, blobs: meta.blobs, uncompressed: tar, fileBytes: meta.uncompressed };
    writeFileSync(metaFile, JSON.stringify(fixed));
    return fixed;
  }
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const layers: { digest: string; diffId: string; size: number }[] = [];
  let fileBytes = 0;
  let uncompressed = 0;
  for (let l = 0; l < writers.length; l++) {
    const p = tarPack();
    const diff = createHash('sha256');
    const blob = createHash('sha256');
    const tmp = join(dir, `layer-${l}.tmp`);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _e, cb) {
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const done = pipeline(p, hashing(diff, (n) => (uncompressed += n)), createGzip({ level: 6 }), hashing(blob), counter, createWriteStream(tmp));
    const write: WriteFile = (name, body) =>
      new Promise<void>((res, rej) => {
        fileBytes += Buffer.byteLength(body);
        p.entry({ name, mode: 0o644, mtime: new Date(0) }, body, (err) => (err ? rej(err) : res()));
      });
    await writers[l](write);
    p.finalize();
    await done;
    const digest = 'sha256:' + blob.digest('hex');
    renameSync(tmp, join(dir, 'blobs/sha256', digest.slice(7)));
    layers.push({ digest, diffId: 'sha256:' + diff.digest('hex'), size });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, history: layers.map(() => ({ created_by: 'bench' })) }));
  const cfgDigest = 'sha256:' + createHash('sha256').update(config).digest('hex');
  writeFileSync(join(dir, 'blobs/sha256', cfgDigest.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    }),
  );
  const mDigest = 'sha256:' + createHash('sha256').update(manifest).digest('hex');
  writeFileSync(join(dir, 'blobs/sha256', mDigest.slice(7)), manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const meta: BenchImage = { dir, blobs: layers.map((l) => join(dir, 'blobs/sha256', l.digest.slice(7))), uncompressed, fileBytes };
  writeFileSync(metaFile, JSON.stringify(meta));
  writeFileSync(marker, JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mDigest, size: manifest.length }] }));
  return meta;
}

/** Pseudo-random text of about `len` characters (compresses like real text files). */
export function text(rnd: () => number, len: number): string {
  let body = '';
  while (body.length < len) body += WORDS[Math.floor(rnd() * WORDS.length)] + (rnd() < 0.1 ? '\n' : ' ');
  return body;
}

/** Many small text files per layer, like a root file system, plus a few package manifests. */
export async function ensureBigImage(dir: string, spec: BigImageSpec): Promise<BenchImage> {
  const rnd = prng(spec.seed ?? 42);
  const writers: LayerWriter[] = Array.from({ length: spec.layers }, (_, l) => async (write) => {
    for (let i = 0; i < spec.filesPerLayer; i++) {
      await write(`usr/share/layer${l}/d${i % 97}/f${i}.txt`, text(rnd, Math.floor(spec.avgSize * (0.2 + rnd() * 1.6))));
      if (i % 500 === 0) await write(`app/l${l}/node_modules/pkg${i}/package.json`, JSON.stringify({ name: `pkg${i}`, version: `1.${l}.${i}`, license: 'MIT' }));
    }
    if (l === 0) await write('etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  });
  return ensureLayout(dir, writers);
}
