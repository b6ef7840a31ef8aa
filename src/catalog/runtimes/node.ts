import { posix } from 'node:path';
import type { FileAnalyzer } from '../../image/capture.js';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { cDefine, plausibleVersion, runtimePackage } from './package.js';

import { NODE_BINARY, nodeRuntimeSpec } from './spec.js';

const FOUND_BY = nodeRuntimeSpec.name;
export const NODE_BINARY_ANALYZER = NODE_BINARY.name;
const HEADER = /^(.*)\/include\/node\/node_version\.h$/;
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** Strings a node binary carries right before its own version. */
const MARKERS = ['node/v', 'node.js/v', '/download/release/v'].map((m) => Buffer.from(m));
/** Occurrences of each marker looked at before giving up (a bound on hostile binaries). */
const MAX_HITS = 4096;

/** The version a node executable names itself with, e.g. in its release headers URL. */
export function nodeVersionFromBinary(content: Buffer): string | undefined {
  for (const marker of MARKERS) {
    let at = 0;
    for (let hits = 0; hits < MAX_HITS; hits++) {
      const i = content.indexOf(marker, at);
      if (i === -1) break;
      const tail = content.subarray(i + marker.length, i + marker.length + 32).toString('latin1');
      const m = /^(\d{1,4}\.\d{1,4}\.\d{1,4})(?![\d.])/.exec(tail);
      if (m) return m[1];
      at = i + 1;
    }
  }
  return undefined;
}

export const nodeBinaryAnalyzer: FileAnalyzer = {
  ...NODE_BINARY,
  select(path, _size, head) {
    return posix.basename(path) === 'node' && posix.basename(posix.dirname(path)) === 'bin' && head.subarray(0, 4).equals(ELF);
  },
  analyze(content) {
    const version = nodeVersionFromBinary(content);
    return version ? { version } : undefined;
  },
};

/**
 * Node.js installed from the official tarball (the node images' /usr/local, or /opt/...):
 * <prefix>/bin/node must exist; its version comes from <prefix>/include/node/node_version.h,
 * else from the binary itself. Header trees without a binary (node-gyp caches) are not runtimes.
 */
export const nodeRuntimeCataloger: Cataloger = {
  ...nodeRuntimeSpec,
  capture: { ...nodeRuntimeSpec.capture, analyzers: [nodeBinaryAnalyzer] },
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const prefixes = new Set<string>();
    const binaries = new Set(tree.analyzed(NODE_BINARY_ANALYZER));
    for (const n of tree.captured()) {
      const h = HEADER.exec(n.path);
      if (h) prefixes.add(h[1] || '/');
      else if (binaries.has(n.path) && tree.analysis(n.path, NODE_BINARY_ANALYZER)) prefixes.add(posix.dirname(posix.dirname(n.path)));
    }
    const out: Package[] = [];
    for (const prefix of [...prefixes].sort()) {
      const bin = posix.join(prefix, 'bin/node');
      if (tree.stat(bin)?.type !== 'file') continue;
      const header = posix.join(prefix, 'include/node/node_version.h');
      const text = tree.readText(header);
      let version: string | undefined;
      if (text !== undefined) {
        const [a, b, c] = ['NODE_MAJOR_VERSION', 'NODE_MINOR_VERSION', 'NODE_PATCH_VERSION'].map((d) => cDefine(text, d));
        if (a && b && c) version = `${a}.${b}.${c}`;
      }
      version ??= tree.analysis<{ version?: string }>(bin, NODE_BINARY_ANALYZER)?.version;
      if (!plausibleVersion(version)) {
        ctx.warnings.add('node-runtime-version', `${bin}: Node.js binary whose version could not be read; not reported`, { path: bin });
        continue;
      }
      out.push(runtimePackage({
        name: 'node',
        version,
        foundBy: FOUND_BY,
        paths: text !== undefined ? [bin, header] : [bin],
        license: 'MIT',
        description: 'Node.js JavaScript runtime',
        metadata: { prefix, versionFrom: text !== undefined ? header : bin },
      }));
    }
    return out;
  },
};
