import type { CaptureSpec } from '../image/capture.js';
import type { FileTree } from '../image/filetree.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import type { Warnings } from '../util/errors.js';

export interface CatalogContext {
  warnings: Warnings;
  /** From /etc/os-release, when the image has one. */
  distro?: DistroInfo;
}

/**
 * One ecosystem's package finder. Pure: it reads only the tree it is given (captured files and
 * analyzer results), so tests build a tree in memory and call it. Layer attribution, ids and
 * owner links are added by the runner, not here.
 */
export interface Cataloger {
  name: string;
  /** What the layer pass must keep for this cataloger. */
  capture: CaptureSpec;
  /**
   * Find packages. Must not throw for bad input: record a warning naming the file and go on.
   * Locations need only `path`. `id` is local to this cataloger's output: the runner replaces
   * it with a stable id and rewrites dependsOn/dependencyOf/ownedBy that use it, so set one
   * whenever packages refer to each other ('' is fine for a package nothing refers to).
   */
  catalog(tree: FileTree, ctx: CatalogContext): Package[];
}
