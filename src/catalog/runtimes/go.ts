import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { runtimePackage } from './package.js';

import { GO_VERSION_FILE as VERSION_FILE, goToolchainSpec } from './spec.js';

const FOUND_BY = goToolchainSpec.name;

/**
 * The Go toolchain of the golang images. It is reported the way Go binaries report the
 * standard library they were built with: name stdlib, version "go1.22.1", and a purl whose
 * version drops the "go" (pkg:golang/stdlib@1.22.1), as Syft does, so vulnerability data on
 * the standard library matches both.
 */
export const goToolchainCataloger: Cataloger = {
  ...goToolchainSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const text = tree.readText(VERSION_FILE);
    if (text === undefined) return [];
    const version = text.split('\n')[0].trim();
    if (!/^go\d+(\.\d+){0,2}((rc|beta)\d+)?$/.test(version)) {
      ctx.warnings.add('go-version-file', `${VERSION_FILE}: first line is not a Go version; not reported`, { path: VERSION_FILE });
      return [];
    }
    return [runtimePackage({
      name: 'stdlib',
      version,
      purlType: 'golang',
      purlVersion: version.slice(2),
      foundBy: FOUND_BY,
      paths: [VERSION_FILE],
      license: 'BSD-3-Clause',
      description: 'Go toolchain and standard library',
      metadata: { goroot: '/usr/local/go' },
    })];
  },
};
