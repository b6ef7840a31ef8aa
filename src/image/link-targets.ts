import { Warnings } from '../util/errors.js';
import { CompiledCapture, type FileAnalyzer } from './capture.js';
import { FileTree, normalizePath } from './filetree.js';
import { indexTarStream } from './layer/tar-index.js';
import { layerLabel } from './resolve.js';
import type { IndexedLayer } from './scan.js';
import type { Image } from './types.js';
import { maxOf } from '../util/arrays.js';

const LINK_TARGET = 'link-target';

/**
 * A wanted file may be a symlink to one nobody asked for (`/var/lib/dpkg/status` ->
 * `status.real`): the layer pass, which sees each entry once, could not know to keep the
 * target. After the pass, the links of wanted paths are followed in the squashed tree as of
 * every layer (confined to the image root: an absolute or `..` target never leaves it), and
 * the layers holding their targets are read again for those files only. A link that loops is a
 * warning naming the path. Rare in real images, so the cost (one more read of a few layers) is
 * only paid when a wanted path is a link to a file that was not kept.
 */
export async function captureLinkTargets(image: Image, capture: CompiledCapture, layers: IndexedLayer[], warnings: Warnings): Promise<void> {
  const links = new Map<string, number>();
  // Most wanted links point at a file that is wanted too (/etc/os-release -> ../usr/lib/os-release):
  // kept anyway, so the tree below is only built when some link leads elsewhere.
  let elsewhere = false;
  for (const l of layers) {
    if (!l.index) continue;
    for (const e of l.index.entries) {
      if (e.type !== 'symlink') continue;
      const max = capture.captureLimit(e.path);
      if (max === 0) continue;
      links.set(e.path, Math.max(max, links.get(e.path) ?? 0));
      const target = e.linkTarget ?? '';
      if (!elsewhere && capture.captureLimit(normalizePath(target.startsWith('/') ? target : `${e.path.slice(0, e.path.lastIndexOf('/'))}/${target}`)) === 0) elsewhere = true;
    }
  }
  if (!elsewhere) return;
  const tree = new FileTree(true);
  const targets = new Map<string, number>();
  const loops = new Set<string>();
  for (const l of layers) {
    if (!l.index) continue;
    tree.apply(l.ref, l.index);
    for (const [link, max] of links) {
      const to = tree.follow(link);
      if (to === 'loop') {
        if (!loops.has(link)) warnings.add('symlink-loop', `${link}: its symbolic links loop (as of ${layerLabel(l.ref.index, l.ref.digest)}); not read`, { layer: layerLabel(l.ref.index, l.ref.digest), path: link });
        loops.add(link);
      } else if (to.path !== link && capture.captureLimit(to.path) === 0) targets.set(to.path, Math.max(max, targets.get(to.path) ?? 0));
    }
  }
  if (targets.size === 0) return;
  for (const l of layers) {
    const index = l.index;
    if (!index) continue;
    const want = new Set<string>();
    for (const e of index.entries) if (e.type === 'file' && e.size > 0 && targets.has(e.path) && !index.captured.has(e.path)) want.add(e.path);
    if (want.size === 0) continue;
    const layer = image.layers[l.ref.index];
    const label = layerLabel(layer.index, layer.digest);
    const keep: FileAnalyzer = {
      name: LINK_TARGET,
      version: 1,
      maxSize: maxOf([...want].map((p) => targets.get(p)!)),
      select: (path) => want.has(path),
      analyze: (content) => content,
    };
    const only = new CompiledCapture({ selectors: [], analyzers: [keep] });
    try {
      const again = layer.indexWith ? await layer.indexWith(only) : await indexTarStream(await layer.open(), layer.diffId, only, label);
      for (const [path, rec] of again.analyses) {
        const content = rec[LINK_TARGET];
        if (Buffer.isBuffer(content) && content.length <= targets.get(path)!) index.captured.set(path, content);
      }
      for (const w of again.warnings) if (w.code === 'file-too-large') warnings.items.push(w);
    } catch (err) {
      warnings.fromError(err, 'link-target-failed', { layer: label });
    }
  }
}
