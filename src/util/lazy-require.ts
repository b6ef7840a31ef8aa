import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Load a CommonJS dependency the first time it is needed, synchronously. For libraries that
 * cost tens of milliseconds to load but only matter for some images (YAML lockfiles): every
 * command pays Node's start-up, and catalogers are synchronous so cannot `await import()`.
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
