import type { CaptureSelection, CaptureSpec } from '../image/capture.js';
import type { FileTree } from '../image/filetree.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import type { Warnings } from '../util/errors.js';

export interface CatalogContext {
  warnings: Warnings;
  /** From /etc/os-release, when the image has one. */
  distro?: DistroInfo;
}

/**
 * A cataloger's selection spec: its name and what the layer pass must keep for it, without
 * the code that reads those files. Each cataloger folder's spec.ts exports one and imports no
 * parser, so a run served whole from the catalog cache builds its key from these (specs.ts)
 * without loading a cataloger. The folder's Cataloger spreads its spec and adds the analyzers'
 * code and `catalog`; test/catalog/specs.test.ts holds the two to agreeing.
 */
export interface CatalogerSpec {
  name: string;
  capture: CaptureSelection;
}

/**
 * One ecosystem's package finder. Pure: it reads only the tree it is given (captured files and
 * analyzer results), so tests build a tree in memory and call it. Layer attribution, ids and
 * owner links are added by the runner, not here.
 */
export interface Cataloger extends CatalogerSpec {
  /** What the layer pass must keep for this cataloger: its spec's selection, analyzers with their code. */
  capture: CaptureSpec;
  /**
   * Find packages. Must not throw for bad input: record a warning naming the file and go on.
   * Locations need only `path`. `id` is local to this cataloger's output: the runner replaces
   * it with a stable id and rewrites dependsOn/dependencyOf/ownedBy that use it, so set one
   * whenever packages refer to each other ('' is fine for a package nothing refers to).
   */
  catalog(tree: FileTree, ctx: CatalogContext): Package[];
}
