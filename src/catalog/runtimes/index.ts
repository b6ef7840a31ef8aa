import type { Cataloger } from '../types.js';
import { goToolchainCataloger } from './go.js';
import { nodeRuntimeCataloger } from './node.js';
import { openjdkRuntimeCataloger } from './openjdk.js';
import { pythonRuntimeCataloger } from './python.js';

export { goToolchainCataloger, nodeRuntimeCataloger, openjdkRuntimeCataloger, pythonRuntimeCataloger };

/**
 * Runtimes installed by copying files rather than through the OS package manager. When an OS
 * package owns the same files, the catalog runner decides (ownership is not judged here).
 */
export const runtimeCatalogers: Cataloger[] = [nodeRuntimeCataloger, pythonRuntimeCataloger, openjdkRuntimeCataloger, goToolchainCataloger];
