import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { plausibleVersion, runtimePackage } from './package.js';

import { openjdkRuntimeSpec } from './spec.js';

const FOUND_BY = openjdkRuntimeSpec.name;
const RELEASE = /\/release$/;

/** The JDK's `release` file: KEY="value" lines. */
export function parseRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(0, 1000)) {
    const m = /^([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|(\S*))\s*$/.exec(line.replace(/\r$/, ''));
    if (m) out.set(m[1], m[2] ?? m[3]);
  }
  return out;
}

/** A JDK or JRE unpacked from a tarball (Temurin, the openjdk images) or laid out under /usr/lib/jvm. */
export const openjdkRuntimeCataloger: Cataloger = {
  ...openjdkRuntimeSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const out: Package[] = [];
    for (const n of [...tree.captured()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!RELEASE.test(n.path)) continue;
      const r = parseRelease(tree.readText(n.path) ?? '');
      const version = r.get('JAVA_VERSION');
      if (!plausibleVersion(version)) {
        ctx.warnings.add('openjdk-release-version', `${n.path}: no readable JAVA_VERSION; not reported`, { path: n.path });
        continue;
      }
      const home = posix.dirname(n.path);
      const metadata: Record<string, unknown> = { javaHome: home };
      for (const [k, name] of [['IMPLEMENTOR', 'implementor'], ['JAVA_RUNTIME_VERSION', 'runtimeVersion'], ['IMPLEMENTOR_VERSION', 'implementorVersion'], ['IMAGE_TYPE', 'imageType']] as const) {
        const v = r.get(k);
        if (v) metadata[name] = v.slice(0, 256);
      }
      out.push(runtimePackage({
        name: 'openjdk',
        version,
        foundBy: FOUND_BY,
        paths: [n.path],
        license: 'GPL-2.0-only WITH Classpath-exception-2.0',
        description: 'OpenJDK Java runtime',
        metadata,
      }));
    }
    return out;
  },
};
