import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { CompiledCapture } from './capture.js';
import type { EntryType, IndexEntry, LayerIndex } from './layer-index.js';

/** Bumped whenever the LayerIndex shape or the indexing rules change. */
const INDEX_FORMAT = 3;

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

  /**
   * The cached index of a layer for this capture set. Without an exact entry, an entry made
   * for a capture set that keeps at least as much (the full SBOM set, when `image inspect` only
   * wants os-release) is narrowed to this one: the same layer is not read twice.
   */
  async get(diffId: string, capture: CompiledCapture | string): Promise<LayerIndex | undefined> {
    const fingerprint = typeof capture === 'string' ? capture : capture.fingerprint;
    const exact = await this.read(this.file(diffId, fingerprint), diffId);
    if (exact || typeof capture === 'string') return exact;
    const base = this.file(diffId, fingerprint);
    const dir = dirname(base);
    const prefix = basename(base).split('.')[0] + '.';
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith(CAPTURE_SUFFIX)) continue;
      const theirs = await readFile(join(dir, name), 'utf8').catch(() => undefined);
      if (theirs === undefined || !covers(theirs, fingerprint)) continue;
      const index = await this.read(join(dir, name.slice(0, -CAPTURE_SUFFIX.length) + '.idx'), diffId);
      const narrowed = index && narrow(index, capture);
      if (narrowed) return narrowed;
    }
    return undefined;
  }

  private async read(file: string, diffId: string): Promise<LayerIndex | undefined> {
    try {
      const v = deserialize(await readFile(file)) as StoredIndex;
      // A cache entry from another digest (corruption) is ignored, never trusted.
      return v && v.diffId === diffId ? fromStored(v) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Written to a temporary name then renamed, so readers never see half an entry. The capture
   * set is written beside it (after it) so other capture sets can tell whether it covers them.
   * Synchronous: an entry is a few MB into the page cache, quicker than the four round trips to
   * the thread pool that awaiting each step took (the main thread sat idle through them).
   */
  put(index: LayerIndex, fingerprint: string): void {
    const f = this.file(index.diffId, fingerprint);
    mkdirSync(join(f, '..'), { recursive: true });
    const stamp = `${process.pid}.${Date.now()}.tmp`;
    writeFileSync(`${f}.${stamp}`, serialize(toStored(index)));
    renameSync(`${f}.${stamp}`, f);
    const side = f.slice(0, -'.idx'.length) + CAPTURE_SUFFIX;
    writeFileSync(`${side}.${stamp}`, fingerprint);
    renameSync(`${side}.${stamp}`, side);
  }
}

const CAPTURE_SUFFIX = '.capture.json';

type FingerprintShape = { g: [string[], number][]; a: [string, number, number][] };

/**
 * Does the capture set `theirs` keep everything `ours` keeps: each of our globs and analyzers,
 * with the same size limit (a higher one would have kept files ours skips with a warning)?
 */
export function covers(theirs: string, ours: string): boolean {
  let t: FingerprintShape;
  let o: FingerprintShape;
  try {
    t = JSON.parse(theirs) as FingerprintShape;
    o = JSON.parse(ours) as FingerprintShape;
  } catch {
    return false;
  }
  const globs = new Set(t.g.flatMap(([gs, max]) => gs.map((g) => `${max} ${g}`)));
  const analyzers = new Set(t.a.map((a) => a.join(' ')));
  return o.g.every(([gs, max]) => gs.every((g) => globs.has(`${max} ${g}`))) && o.a.every((a) => analyzers.has(a.join(' ')));
}

/**
 * An index made with a wider capture set, cut down to what `capture` would have kept and said;
 * undefined when it kept a file bigger than `capture` allows (another of its globs wanted it):
 * reading the layer again is then the only way to say exactly what `capture` would have said.
 */
function narrow(index: LayerIndex, capture: CompiledCapture): LayerIndex | undefined {
  const analyzers = new Set(capture.analyzers.map((a) => a.name));
  const captured = new Map<string, Buffer>();
  for (const [path, content] of index.captured) {
    const limit = capture.captureLimit(path);
    if (content.length > limit && limit > 0) return undefined;
    if (limit > 0) captured.set(path, content);
  }
  const analyses = new Map<string, Record<string, unknown>>();
  for (const [path, rec] of index.analyses) {
    const kept = Object.fromEntries(Object.entries(rec).filter(([name]) => analyzers.has(name)));
    if (Object.keys(kept).length) analyses.set(path, kept);
  }
  const warnings = index.warnings.filter((w) => {
    if (w.code.startsWith('analyzer-')) return analyzers.has(w.code.slice('analyzer-'.length));
    if (w.code === 'file-too-large') return w.path !== undefined && capture.captureLimit(w.path) > 0;
    return true;
  });
  const tallies = index.tallies ? Object.fromEntries(Object.entries(index.tallies).filter(([k]) => analyzers.has(k.slice(0, k.indexOf(':'))))) : undefined;
  return { ...index, captured, analyses, warnings, ...(tallies && Object.keys(tallies).length ? { tallies } : { tallies: undefined }) };
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

/** Files and bytes below dir; `isEntry` says which files count as entries (all by default). */
async function du(dir: string, isEntry: (path: string) => boolean = () => true): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  for await (const { path, st } of filesBelow(dir)) {
    if (isEntry(path)) entries++;
    bytes += st.size;
  }
  return { entries, bytes };
}

export async function cacheUsage(root = cacheDir()): Promise<CacheUsage> {
  // A layer result is its index; the capture record beside it is part of it.
  const layers = await du(join(root, 'layers'), (p) => p.endsWith('.idx'));
  const catalog = await du(join(root, 'catalog'));
  const archives = await du(join(root, 'archives'));
  const all = await du(root);
  const layerFiles = (await du(join(root, 'layers'))).entries;
  const other = { entries: all.entries - layerFiles - catalog.entries - archives.entries, bytes: all.bytes - layers.bytes - catalog.bytes - archives.bytes };
  return { dir: root, layers, catalog, archives, other, total: all.bytes };
}

/** Remove cached layer and catalog results, unpacked archives and remembered archive digests (the advisory database is kept). */
export async function pruneCache(root = cacheDir(), opts: { olderThanMs?: number } = {}): Promise<{ removed: number; bytes: number }> {
  let removed = 0;
  let bytes = 0;
  const cutoff = opts.olderThanMs ? Date.now() - opts.olderThanMs : Infinity;
  for (const sub of ['layers', 'catalog', 'archives', 'file-digests', 'engine-images']) {
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
