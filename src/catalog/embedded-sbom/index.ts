import type { FileTree } from '../../image/filetree.js';
import { readSbom } from '../../sbom/formats/detect.js';
import type { Package } from '../../sbom/model.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { EMBEDDED_SBOM, embeddedSbomSpec } from './spec.js';

/**
 * SBOMs that ship inside an image: `*.spdx.json` and `*.cdx.json` anywhere, and the per-package
 * SPDX documents Wolfi/Chainguard images keep under /var/lib/db/sbom/. Their packages join the
 * image's SBOM with the document as evidence; the runner folds them into packages another
 * cataloger found too (same PURL), so nothing is counted twice.
 */
export const embeddedSbomCataloger: Cataloger = {
  ...embeddedSbomSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const out: Package[] = [];
    for (const node of tree.captured()) {
      if (!/\.(spdx|cdx)\.json$/.test(node.path) && !node.path.startsWith('/var/lib/db/sbom/')) continue;
      const bytes = tree.read(node.path);
      if (!bytes) continue;
      let pkgs: Package[];
      try {
        pkgs = readSbom(bytes).sbom.packages;
      } catch (err) {
        ctx.warnings.add('embedded-sbom-unreadable', `${node.path}: embedded SBOM skipped: ${(err as Error).message}`, { path: node.path });
        continue;
      }
      // A document's ids are unique within it only (SPDXRef-Package-1 in every generated one):
      // prefixed with its path, links stay inside the document they came from.
      const local = (id: string) => `${node.path}#${id}`;
      for (const p of pkgs) {
        out.push({
          ...p,
          id: local(p.id),
          ...(p.dependsOn ? { dependsOn: p.dependsOn.map(local) } : {}),
          ...(p.dependencyOf ? { dependencyOf: p.dependencyOf.map(local) } : {}),
          ...(p.ownedBy ? { ownedBy: local(p.ownedBy) } : {}),
          foundBy: EMBEDDED_SBOM,
          // Paths inside the document describe its own context; the document is our evidence.
          locations: [{ path: node.path }],
          metadata: { ...(p.metadata ?? {}), declaredIn: node.path, ...(p.locations.length ? { declaredLocations: p.locations.map((l) => l.path) } : {}) },
          introducedLayer: undefined,
        });
      }
    }
    return out;
  },
};
