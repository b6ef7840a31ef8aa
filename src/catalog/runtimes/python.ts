import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { cDefine, plausibleVersion, runtimePackage } from './package.js';

import { pythonRuntimeSpec } from './spec.js';

const FOUND_BY = pythonRuntimeSpec.name;
const PATCHLEVEL = /^(.*)\/include\/(python\d+\.\d+)[a-z]*\/patchlevel\.h$/;

/**
 * CPython built from source (the python images' /usr/local): PY_VERSION of
 * <prefix>/include/python3.X/patchlevel.h, reported when <prefix>/lib/python3.X or
 * <prefix>/bin/python3.X is there too (headers alone are not an interpreter).
 */
export const pythonRuntimeCataloger: Cataloger = {
  ...pythonRuntimeSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const out: Package[] = [];
    for (const n of [...tree.captured()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const m = PATCHLEVEL.exec(n.path);
      if (!m) continue;
      const prefix = m[1] || '/';
      const lib = posix.join(prefix, 'lib', m[2]);
      const bin = posix.join(prefix, 'bin', m[2]);
      const haveBin = tree.stat(bin)?.type === 'file';
      if (!haveBin && tree.stat(lib)?.type !== 'dir') continue;
      const version = cDefine(tree.readText(n.path) ?? '', 'PY_VERSION');
      if (!plausibleVersion(version)) {
        ctx.warnings.add('python-runtime-version', `${n.path}: no readable PY_VERSION; not reported`, { path: n.path });
        continue;
      }
      out.push(runtimePackage({
        name: 'python',
        version,
        foundBy: FOUND_BY,
        paths: [haveBin ? bin : lib, n.path],
        license: 'PSF-2.0',
        description: 'CPython interpreter and standard library',
        metadata: { prefix, libraryDir: lib },
      }));
    }
    return out;
  },
};
