import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { EntryType, IndexEntry, LayerIndex } from './layer-index.js';

/** Bumped whenever the LayerIndex shape or the indexing rules change. */
const INDEX_FORMAT = 2;

/** $SCOUT_CACHE_DIR, or ~/.cache/iechor-scout. Everything Scout writes lives below it. */
export function cacheDir(): string {
  return process.env.SCOUT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'iechor-scout');
}

/**
 * Per-layer results, content-addressed by diff_id and the capture set's fingerprint: a layer
 * shared by many images is read once, and changing what catalogers capture invalidates.
 */
export class LayerCache {
  readonly dir: string;
  constructor(root = cacheDir()) {
    this.dir = join(root, 'layers');
  }

  private file(diffId: string, fingerprint: string): string {
    const fp = createHash('sha256').update(`${INDEX_FORMAT}\0${fingerprint}`).digest('hex').slice(0, 16);
    const hex = diffId.replace(/^[a-z0-9]+:/, '').replace(/[^a-f0-9]/g, '');
    return join(this.dir, hex.slice(0, 2), `${hex}.${fp}.idx`);
  }

  async get(diffId: string, fingerprint: string): Promise<LayerIndex | undefined> {
    try {
      const data = await readFile(this.file(diffId, fingerprint));
      const v = deserialize(data) as StoredIndex;
      // A cache entry from another digest (corruption) is ignored, never trusted.
      return v && v.diffId === diffId ? fromStored(v) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Written to a temporary name then renamed, so readers never see half an entry. */
  async put(index: LayerIndex, fingerprint: string): Promise<void> {
    const f = this.file(index.diffId, fingerprint);
    await mkdir(join(f, '..'), { recursive: true });
    const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, serialize(toStored(index)));
    await rename(tmp, f);
  }
}

export interface CacheUsage {
  dir: string;
  layers: { entries: number; bytes: number };
  catalog: { entries: number; bytes: number };
  archives: { entries: number; bytes: number };
  other: { entries: number; bytes: number };
  total: number;
}

/** Every regular file below dir, with its stat; a folder that vanishes is skipped. */
async function* filesBelow(dir: string): AsyncGenerator<{ path: string; st: Stats }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = await stat(p).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) yield* filesBelow(p);
    else yield { path: p, st };
  }
}

async function du(dir: string): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  for await (const { st } of filesBelow(dir)) {
    entries++;
    bytes += st.size;
  }
  return { entries, bytes };
}

export async function cacheUsage(root = cacheDir()): Promise<CacheUsage> {
  const layers = await du(join(root, 'layers'));
  const catalog = await du(join(root, 'catalog'));
  const archives = await du(join(root, 'archives'));
  const all = await du(root);
  const other = { entries: all.entries - layers.entries - catalog.entries - archives.entries, bytes: all.bytes - layers.bytes - catalog.bytes - archives.bytes };
  return { dir: root, layers, catalog, archives, other, total: all.bytes };
}

/** Remove cached layer and catalog results and unpacked archives (the advisory database is kept). */
export async function pruneCache(root = cacheDir(), opts: { olderThanMs?: number } = {}): Promise<{ removed: number; bytes: number }> {
  let removed = 0;
  let bytes = 0;
  const cutoff = opts.olderThanMs ? Date.now() - opts.olderThanMs : Infinity;
  for (const sub of ['layers', 'catalog', 'archives']) {
    for await (const { path, st } of filesBelow(join(root, sub))) {
      if (Math.max(st.atimeMs, st.mtimeMs) >= cutoff) continue;
      await rm(path, { force: true });
      removed++;
      bytes += st.size;
    }
  }
  return { removed, bytes };
}

/**
 * The on-disk form: the listing in columns (one string of paths, typed arrays of types, sizes
 * and modes) because deserialising a few arrays is far cheaper than a quarter-million objects.
 */
interface StoredIndex extends Omit<LayerIndex, 'entries'> {
  paths: string;
  types: Uint8Array;
  sizes: Float64Array;
  modes: Uint32Array;
  links: [number, string][];
}

const TYPES: EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'whiteout', 'opaque', 'other'];
const TYPE_CODE = new Map(TYPES.map((t, i) => [t, i]));

function toStored(index: LayerIndex): StoredIndex {
  const n = index.entries.length;
  const types = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const modes = new Uint32Array(n);
  const links: [number, string][] = [];
  const paths: string[] = new Array(n);
  index.entries.forEach((e, i) => {
    paths[i] = e.path;
    types[i] = TYPE_CODE.get(e.type)!;
    sizes[i] = e.size;
    modes[i] = e.mode;
    if (e.linkTarget !== undefined) links.push([i, e.linkTarget]);
  });
  const { entries: _e, ...rest } = index;
  return { ...rest, paths: paths.join('\0'), types, sizes, modes, links };
}

function fromStored(s: StoredIndex): LayerIndex {
  const paths = s.paths ? s.paths.split('\0') : [];
  const entries: IndexEntry[] = new Array(paths.length);
  for (let i = 0; i < paths.length; i++) entries[i] = { path: paths[i], type: TYPES[s.types[i]], size: s.sizes[i], mode: s.modes[i] };
  for (const [i, t] of s.links) entries[i].linkTarget = t;
  const { paths: _p, types: _t, sizes: _s, modes: _m, links: _l, ...rest } = s;
  return { ...rest, entries };
}
