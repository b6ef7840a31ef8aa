/**
 * An SBOM served from the catalog cache gets its packages as the JSON text they were cached
 * as (UTF-8 bytes, as they lie in the cache file), parsed the first time anything reads
 * `sbom.packages`. `scout sbom --format json` never does: the Scout JSON writer puts the bytes
 * in as they are (unreadPackagesJson), so a warm run builds none of the thousands of package
 * objects, and collects none as garbage, only to write them out again as the same text; nor
 * does it decode the bytes to a string and encode them back (one non-Latin-1 character made
 * the whole 6.6 MB string two bytes a character, 13 MB to copy each way).
 */
import type { Package } from './model.js';

const unread = new WeakMap<object, Buffer>();

const KEY = '{\n  "packages": ';

/**
 * Packages as JSON.stringify(sbom, null, 2) writes them at the top level of a document: the
 * array's text with every line after the first indented by two spaces.
 */
export function topLevelPackagesJson(packages: readonly Package[]): string {
  const doc = JSON.stringify({ packages }, null, 2);
  return doc.slice(KEY.length, doc.length - '\n}'.length);
}

/**
 * Give `sbom` (whose `packages` is a placeholder, keeping its place among the keys) the
 * packages of `json` (topLevelPackagesJson's text, UTF-8), parsed on first read. Writing
 * `sbom.packages` replaces them, as on any object.
 */
export function withPackagesFromJson<T extends { packages: Package[] }>(sbom: T, json: Buffer): T {
  const settle = (packages: Package[]) => {
    unread.delete(sbom);
    Object.defineProperty(sbom, 'packages', { value: packages, writable: true, enumerable: true, configurable: true });
    return packages;
  };
  Object.defineProperty(sbom, 'packages', {
    enumerable: true,
    configurable: true,
    get: () => settle(JSON.parse(json.toString('utf8')) as Package[]),
    set: settle,
  });
  unread.set(sbom, json);
  return sbom;
}

/** The packages' text (topLevelPackagesJson's, UTF-8) while nothing has read them, else undefined. */
export function unreadPackagesJson(sbom: object): Buffer | undefined {
  return unread.get(sbom);
}
