/** The four language runtimes' selection specs (one cataloger each, see the sibling modules). */
import type { AnalyzerKey } from '../../image/capture.js';
import type { CatalogerSpec } from '../types.js';

export const GO_VERSION_FILE = '/usr/local/go/VERSION';
/** Where JDK images keep the `release` file. */
export const JDK_RELEASE_GLOBS = ['/usr/local/openjdk-*/release', '/opt/java/openjdk/release', '/usr/lib/jvm/*/release', '/opt/java/*/release'];

export const NODE_BINARY: AnalyzerKey = { name: 'node-binary-version', version: 1, maxSize: 512 * 1024 * 1024 };

export const nodeRuntimeSpec = {
  name: 'node-runtime-cataloger',
  capture: {
    selectors: [{ globs: ['**/include/node/node_version.h'], maxSize: 64 * 1024 }],
    analyzers: [NODE_BINARY],
  },
} satisfies CatalogerSpec;

export const pythonRuntimeSpec = {
  name: 'python-runtime-cataloger',
  capture: {
    selectors: [{ globs: ['/usr/local/include/python*/patchlevel.h', '/opt/**/include/python*/patchlevel.h'], maxSize: 64 * 1024 }],
    analyzers: [],
  },
} satisfies CatalogerSpec;

export const openjdkRuntimeSpec = {
  name: 'openjdk-runtime-cataloger',
  capture: { selectors: [{ globs: JDK_RELEASE_GLOBS, maxSize: 64 * 1024 }], analyzers: [] },
} satisfies CatalogerSpec;

export const goToolchainSpec = {
  name: 'go-toolchain-cataloger',
  capture: { selectors: [{ globs: [GO_VERSION_FILE], maxSize: 4096 }], analyzers: [] },
} satisfies CatalogerSpec;
