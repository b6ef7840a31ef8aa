import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { cacheDir } from '../image/cache.js';
import type { Attachment } from '../catalog/run.js';
import type { DistroInfo, Package } from './model.js';
import { topLevelPackagesJson } from './lazy-packages.js';
import type { ScanWarning } from '../util/errors.js';

/**
 * Bumped when the cached shape or the cataloging rules change. 5: packages as JSON text.
 * 6: that text as UTF-8 bytes (a Buffer, which v8.deserialize returns as a view of the file
 * it read, not a copy).
 */
const FORMAT = 6;

/** What cataloging an exact stack of layers produced. */
export interface CatalogSnapshot {
  packages: Package[];
  distro?: DistroInfo;
  warnings: ScanWarning[];
  layerSizes: (number | undefined)[];
  vexFiles: Attachment[];
  /** Secrets in the layers' files, when the scan looked for them (`--secrets`). */
  secrets?: import('../secrets/collect.js').SecretReport;
}

/**
 * A snapshot as stored and read back: the packages as their JSON text (topLevelPackagesJson)
 * in UTF-8, one Buffer, so reading the entry builds no package objects and decodes no text;
 * they are parsed where read.
 */
export interface StoredSnapshot extends Omit<CatalogSnapshot, 'packages'> {
  packagesJson: Buffer;
  packageCount: number;
}

/**
 * Catalog results for a stack of layers, keyed like Docker's chain ID (the ordered diff_ids)
 * plus the tool version and the capture fingerprint. The same image scanned again skips even
 * loading its layer indexes; any change of layers, catalogers or version misses. Only scans in
 * which every layer was read are stored.
 */
export class CatalogCache {
  private readonly dir: string;
  constructor(root = cacheDir()) {
    this.dir = join(root, 'catalog');
  }

  static key(diffIds: string[], fingerprint: string, toolVersion: string): string {
    return createHash('sha256').update(JSON.stringify([FORMAT, toolVersion, fingerprint, diffIds])).digest('hex');
  }

  async get(key: string): Promise<StoredSnapshot | undefined> {
    try {
      const v = deserialize(await readWhole(join(this.dir, key.slice(0, 2), key))) as StoredSnapshot & { key?: string };
      return v && v.key === key && Buffer.isBuffer(v.packagesJson) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Synchronous for the reason LayerCache.put is: a few MB, and nothing else to do meanwhile. */
  put(key: string, snap: CatalogSnapshot): void {
    const f = join(this.dir, key.slice(0, 2), key);
    mkdirSync(join(f, '..'), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    const { packages, ...rest } = snap;
    const stored: StoredSnapshot & { key: string } = { ...rest, packagesJson: Buffer.from(topLevelPackagesJson(packages), 'utf8'), packageCount: packages.length, key };
    writeFileSync(tmp, serialize(stored));
    renameSync(tmp, f);
  }
}

/**
 * A file in one read: readFile of fs/promises reads 512 KiB at a time, each piece a round trip
 * to the thread pool (14 of them for a 6.6 MB entry).
 */
async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    await fh.close();
  }
}
