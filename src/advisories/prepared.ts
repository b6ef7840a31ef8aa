/**
 * The row form of an advisory: what a store writes (stored JSON, index keys), derived in one
 * place so every store implementation indexes the same way.
 */
import type { Advisory } from './model.js';
import { normalizePackageName } from './ecosystems.js';
import { storedJsonBytes, toStoredJson } from './stored-json.js';

export interface PreparedAdvisory {
  id: string;
  modified: string;
  withdrawn: string | null;
  /** The stored JSON (see stored-json.ts). */
  json: string;
  /** `json` as UTF-8 bytes when the importer kept them (cheaper to write than the string). */
  jsonBytes?: Buffer;
  /** [ecosystem as given, normalised package name], duplicates removed. */
  packages: [string, string][];
  aliases: string[];
  upstream: string[];
}

/** The index rows an advisory has: the packages it names and the other ids it goes by. */
export type IndexKeys = Pick<PreparedAdvisory, 'packages' | 'aliases' | 'upstream'>;

export function indexKeysOf(adv: Advisory): IndexKeys {
  const seen = new Set<string>();
  const packages: [string, string][] = [];
  for (const a of adv.affected) {
    if (!a.package) continue;
    const name = normalizePackageName(a.package.ecosystem, a.package.name);
    const key = `${a.package.ecosystem}\u0000${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    packages.push([a.package.ecosystem, name]);
  }
  return { packages, aliases: adv.aliases.filter((x) => x !== adv.id), upstream: adv.upstream.filter((x) => x !== adv.id) };
}

export function prepareAdvisory(adv: Advisory): PreparedAdvisory {
  const row: PreparedAdvisory = {
    id: adv.id,
    modified: adv.modified,
    withdrawn: adv.withdrawn ?? null,
    json: toStoredJson(adv),
    ...indexKeysOf(adv),
  };
  const bytes = storedJsonBytes(adv);
  if (bytes !== undefined) row.jsonBytes = bytes;
  return row;
}
