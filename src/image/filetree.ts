import { posix } from 'node:path';
import { globToRegExp } from './capture.js';
import type { IndexEntry, LayerIndex, LayerRef } from './layer-index.js';
import { appendAll } from '../util/arrays.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'other';

/** A path in the squashed file system. */
export interface FileNode {
  path: string;
  type: NodeType;
  size: number;
  mode: number;
  /** For symlinks: the target as written. */
  linkTarget?: string;
  /** For hard links: the absolute path whose content this file shares. */
  hardlinkTo?: string;
  /** The last layer that wrote this path (its content and metadata come from there). */
  layer: LayerRef;
  /** The first layer that brought this path (after any deletion, the layer that re-added it). */
  firstLayer: LayerRef;
}

interface TreeNode extends FileNode {
  children?: Map<string, TreeNode>;
  content?: Buffer;
  analyses?: Record<string, unknown>;
}

const MAX_LINK_HOPS = 40;
const ROOT_LAYER: LayerRef = { index: -1, digest: '', diffId: '' };

/** Normalise any path an image or a user names to '/a/b' form, confined to the root. */
const NEEDS_NORMALISING = /\/\/|\/\.\.?(\/|$)|\\|.\/$/;

export function normalizePath(p: string): string {
  // Most paths (from layer indexes) are already normal: skip the costly general case.
  if (p.charCodeAt(0) === 47 && !NEEDS_NORMALISING.test(p)) return p;
  const n = posix.normalize('/' + p.replace(/\\/g, '/'));
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * The squashed view of an image: layers applied bottom-up with whiteouts, opaque directories,
 * hard links and symlinks, remembering for every path its first and last layer.
 * Built incrementally with apply(), so the tree "as of layer k" is available on the way up;
 * that is how package attribution finds the layer that introduced a package.
 */
export class FileTree {
  private readonly root: TreeNode = {
    path: '/', type: 'dir', size: 0, mode: 0o755, layer: ROOT_LAYER, firstLayer: ROOT_LAYER, children: new Map(),
  };
  readonly layers: LayerRef[] = [];

  /**
   * @param sparse keep only what catalogers can look at (captured or analyzed files, links,
   *   and the directories above them) plus every deletion. A layer of a quarter-million files
   *   then costs a few thousand nodes; `lstat` of an ordinary file answers undefined.
   */
  constructor(readonly sparse = false) {}

  static fromLayers(layers: { ref: LayerRef; index: LayerIndex }[], sparse = false): FileTree {
    const t = new FileTree(sparse);
    for (const l of layers) t.apply(l.ref, l.index);
    return t;
  }

  /** Apply one layer on top. Returns the paths it changed (added, modified or deleted). */
  apply(ref: LayerRef, index: LayerIndex): string[] {
    this.layers.push(ref);
    this.dirs.clear();
    this.missingDirs.clear();
    this.capturedList = undefined;
    this.analyzedLists.clear();
    const touched: string[] = [];
    // Deletions first: a tar may list an opaque marker or whiteout after the entries the same
    // layer adds to that directory, and those must survive.
    // Indexed loops: these run over every entry of every layer, mostly before the optimising
    // compiler has seen them, and for-of allocates an iterator result per step until then.
    const entries = index.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.type === 'opaque') {
        const dir = this.lookup(e.path);
        if (dir?.children) {
          for (const child of dir.children.values()) touched.push(child.path);
          dir.children.clear();
        }
      } else if (e.type === 'whiteout') {
        const parent = this.lookup(posix.dirname(e.path));
        const name = posix.basename(e.path);
        if (parent?.children?.delete(name)) touched.push(e.path);
      }
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.type === 'opaque' || e.type === 'whiteout') {
        if (e.type === 'opaque') this.ensureDir(e.path, ref);
        continue;
      }
      // A layer made with `tar -C rootfs .` lists the root itself ('./'): the root belongs to
      // the tree, not to a layer, so that entry changes nothing.
      if (e.path === '/') continue;
      if (this.sparse && (e.type === 'file' || e.type === 'dir' || e.type === 'other') && !index.captured.has(e.path) && !index.analyses.has(e.path)) {
        // Not kept, but an older version of the path must not show through (and replacing a
        // kept file with one that is not, say an empty one, is a change catalogers must see).
        // A folder keeps the folder below it, and replaces anything else there (a package
        // database a later layer turns into a folder is gone).
        if (this.remove(e.path, e.type === 'dir')) touched.push(e.path);
        continue;
      }
      this.put(e, ref, index);
      touched.push(e.path);
    }
    return touched;
  }

  // Directories resolved during this apply(): most entries share a parent with others.
  private dirs = new Map<string, TreeNode>();

  private parentOf(path: string, ref: LayerRef): TreeNode {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    let node = this.dirs.get(dir);
    if (!node) {
      node = this.ensureDir(dir, ref);
      this.dirs.set(dir, node);
    }
    return node;
  }

  private put(e: IndexEntry, ref: LayerRef, index: LayerIndex): void {
    const parent = this.parentOf(e.path, ref);
    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
    const prev = parent.children!.get(name);
    // Replacing a directory may detach remembered parents: forget them.
    if (prev?.children) this.dirs.clear();
    const type: NodeType = e.type === 'hardlink' ? 'file' : e.type === 'whiteout' || e.type === 'opaque' ? 'other' : e.type;
    const node: TreeNode = {
      path: e.path,
      type,
      size: e.size,
      mode: e.mode,
      layer: ref,
      firstLayer: prev && prev.type === type ? prev.firstLayer : ref,
    };
    if (e.type === 'symlink') node.linkTarget = e.linkTarget;
    if (e.type === 'hardlink' && e.linkTarget) {
      node.hardlinkTo = e.linkTarget;
      const target = this.lookup(e.linkTarget);
      const content = index.captured.get(e.path) ?? index.captured.get(e.linkTarget) ?? target?.content;
      if (content) node.content = content;
      if (target && target.type === 'file') node.size = target.size;
    }
    if (type === 'dir') node.children = prev?.children ?? new Map();
    const content = index.captured.get(e.path);
    if (content) node.content = content;
    const analyses = index.analyses.get(e.path);
    if (analyses) node.analyses = analyses;
    parent.children!.set(name, node);
    this.missingDirs.clear();
  }

  /** Remove the node at `path` (but not a folder, with `keepDir`); whether there was one to remove. */
  private remove(path: string, keepDir = false): boolean {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash) || '/';
    // A sparse tree removes every file it does not keep: remember the directories found, as
    // put does, and the ones that are not there (most of a base layer's folders hold nothing
    // kept) until a node is added.
    if (this.missingDirs.has(dir)) return false;
    let parent = this.dirs.get(dir);
    if (!parent) {
      parent = this.lookupNormalized(dir);
      if (parent?.type === 'dir') this.dirs.set(dir, parent);
      else if (!parent) this.missingDirs.add(dir);
    }
    const name = path.slice(slash + 1);
    if (keepDir && parent?.children?.get(name)?.type === 'dir') return false;
    if (!parent?.children?.delete(name)) return false;
    this.dirs.clear();
    return true;
  }

  /** Directories found absent by remove() since the tree last gained a node. */
  private readonly missingDirs = new Set<string>();

  private ensureDir(path: string, ref: LayerRef): TreeNode {
    let cur = this.root;
    if (path === '/' || path === '') return cur;
    for (const part of path.split('/').filter(Boolean)) {
      let next = cur.children!.get(part);
      if (!next || next.type !== 'dir') {
        const p = cur.path === '/' ? '/' + part : cur.path + '/' + part;
        next = { path: p, type: 'dir', size: 0, mode: 0o755, layer: ref, firstLayer: ref, children: new Map() };
        cur.children!.set(part, next);
        this.missingDirs.clear();
      }
      cur = next;
    }
    return cur;
  }

  /** Lookup without following symlinks in any component. */
  private lookup(path: string): TreeNode | undefined {
    return this.lookupNormalized(normalizePath(path));
  }

  /** Lookup of a path already in '/a/b' form (entries from a LayerIndex are). */
  private lookupNormalized(path: string): TreeNode | undefined {
    let cur: TreeNode | undefined = this.root;
    let start = 1;
    while (start < path.length) {
      let end = path.indexOf('/', start);
      if (end === -1) end = path.length;
      cur = cur.children?.get(path.slice(start, end));
      if (!cur) return undefined;
      start = end + 1;
    }
    return cur;
  }

  /**
   * Resolve every symlink along the path, confined to the image root ('..' stops at '/'),
   * giving up after MAX_LINK_HOPS so a loop ends. Returns the real path, or undefined when a
   * component does not exist or the links loop.
   */
  realpath(path: string, followLast = true): string | undefined {
    return this.resolve(path, followLast)?.path;
  }

  /**
   * The node a path names and its real path. Walks the tree one component at a time without
   * splitting the path (catalogers resolve thousands of paths, most without any link). At a
   * link, its target is joined to the link's directory and the rest of the path, normalised as
   * text, and walked again from the root.
   */
  private resolve(path: string, followLast: boolean): { node: TreeNode; path: string } | undefined {
    let p = normalizePath(path);
    let hops = 0;
    restart: while (true) {
      let node = this.root;
      let start = 1;
      while (start < p.length) {
        let end = p.indexOf('/', start);
        if (end === -1) end = p.length;
        const next = node.children?.get(p.slice(start, end));
        if (!next) return undefined;
        if (next.type === 'symlink' && (end < p.length || followLast)) {
          if (++hops > MAX_LINK_HOPS) return undefined;
          const target = next.linkTarget ?? '';
          const rest = p.slice(end);
          p = normalizePath(target.startsWith('/') ? target + rest : `${p.slice(0, start - 1)}/${target}${rest}`);
          continue restart;
        }
        node = next;
        start = end + 1;
      }
      return { node, path: p };
    }
  }

  /**
   * Where a path leads once every symlink on it is followed, confined to the root, even when
   * nothing is there (a sparse tree holds only kept files): `exists` says whether a node is.
   * 'loop' when the links go round (more than MAX_LINK_HOPS of them).
   */
  follow(path: string): { path: string; exists: boolean } | 'loop' {
    let p = normalizePath(path);
    let hops = 0;
    restart: while (true) {
      let node = this.root;
      let start = 1;
      while (start < p.length) {
        let end = p.indexOf('/', start);
        if (end === -1) end = p.length;
        const next = node.children?.get(p.slice(start, end));
        if (!next) return { path: p, exists: false };
        if (next.type === 'symlink') {
          if (++hops > MAX_LINK_HOPS) return 'loop';
          const target = next.linkTarget ?? '';
          const rest = p.slice(end);
          p = normalizePath(target.startsWith('/') ? target + rest : `${p.slice(0, start - 1)}/${target}${rest}`);
          continue restart;
        }
        node = next;
        start = end + 1;
      }
      return { path: p, exists: node !== this.root || p === '/' };
    }
  }

  /** The node a path finally names (links followed), or undefined. */
  private resolved(path: string): TreeNode | undefined {
    return this.resolve(path, true)?.node;
  }

  /** Metadata of the path itself (a symlink is reported as a symlink). */
  lstat(path: string): FileNode | undefined {
    const p = normalizePath(path);
    const slash = p.lastIndexOf('/');
    const parent = this.resolved(p.slice(0, slash) || '/');
    const n = slash === p.length - 1 ? parent : parent?.children?.get(p.slice(slash + 1));
    return n ? strip(n) : undefined;
  }

  /** Metadata of what the path finally points to. */
  stat(path: string): FileNode | undefined {
    const n = this.resolved(path);
    return n ? strip(n) : undefined;
  }

  /** The captured content of a file (following links), or undefined when not captured. */
  read(path: string): Buffer | undefined {
    const n = this.resolved(path);
    if (!n || n.type !== 'file') return undefined;
    if (n.content) return n.content;
    if (n.hardlinkTo) return this.lookup(n.hardlinkTo)?.content;
    return undefined;
  }

  readText(path: string): string | undefined {
    return this.read(path)?.toString('utf8');
  }

  /** The result an analyzer produced for this file during the layer pass. */
  analysis<T = unknown>(path: string, analyzer: string): T | undefined {
    return this.resolved(path)?.analyses?.[analyzer] as T | undefined;
  }

  /** Direct children of a directory (following symlinks to reach it). */
  list(dir: string): FileNode[] {
    const n = this.resolved(dir);
    return n?.children ? [...n.children.values()].map(strip) : [];
  }

  /** Every path in the tree, depth first, parents before children. Symlinks are not followed. */
  *walk(from = '/'): Generator<FileNode> {
    const start = this.lookup(from);
    if (!start) return;
    const stack: TreeNode[] = [start];
    while (stack.length) {
      const n = stack.pop()!;
      if (n !== this.root) yield strip(n);
      if (n.children) {
        const kids = [...n.children.values()].sort((a, b) => (a.path < b.path ? 1 : -1));
        appendAll(stack, kids);
      }
    }
  }

  /** Paths (not following symlinked directories) that match an absolute glob. */
  glob(pattern: string): FileNode[] {
    const re = globToRegExp(pattern);
    const out: FileNode[] = [];
    for (const n of this.walk()) if (re.test(n.path)) out.push(n);
    return out;
  }

  /**
   * Paths with captured content or analyses (what catalogers can actually look at), sorted by
   * path. Every cataloger asks after every layer that touched it, so the list is kept until the
   * tree changes. Callers must not modify the nodes.
   */
  captured(): readonly FileNode[] {
    if (!this.capturedList) {
      const list: FileNode[] = [];
      for (const n of this.walkNodes()) if (n.content || n.analyses) list.push(strip(n));
      this.capturedList = list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    return this.capturedList;
  }

  private capturedList: FileNode[] | undefined;

  /**
   * Sorted paths of the files this analyzer produced a result for. Catalogers of binaries and
   * archives want these few among thousands of captured files; kept until the tree changes.
   */
  analyzed(analyzer: string): readonly string[] {
    let list = this.analyzedLists.get(analyzer);
    if (!list) {
      list = [];
      for (const n of this.walkNodes()) if (n.analyses && n.analyses[analyzer] !== undefined) list.push(n.path);
      list.sort();
      this.analyzedLists.set(analyzer, list);
    }
    return list;
  }

  private readonly analyzedLists = new Map<string, string[]>();

  /** Every node, parents before children (an array: this runs over whole trees, often). */
  private walkNodes(): TreeNode[] {
    const out: TreeNode[] = [];
    const stack: TreeNode[] = [this.root];
    while (stack.length) {
      const n = stack.pop()!;
      out.push(n);
      if (n.children) for (const c of n.children.values()) stack.push(c);
    }
    return out;
  }


  firstLayer(path: string): LayerRef | undefined {
    return this.lstat(path)?.firstLayer;
  }

  lastLayer(path: string): LayerRef | undefined {
    return this.lstat(path)?.layer;
  }
}

function strip(n: TreeNode): FileNode {
  const { children: _c, content: _x, analyses: _a, ...rest } = n;
  return rest;
}
