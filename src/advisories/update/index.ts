/**
 * The public surface of feed updates, for `scout db update` and the server:
 *
 *   const sources = resolveSources();                       // defaults + sources.json + SCOUT_ADVISORY_MIRROR
 *   const result = await updateDatabase(store, sources, { full, only, onProgress, warnings });
 *   // result.ok; result.sources[i]: { name, status: 'ok'|'unchanged'|'failed', mode, counts, reason, ... }
 *
 * See update.ts for what each source does and what the result holds.
 */
export { updateDatabase, timestampKey } from './update.js';
export type { UpdateOptions, UpdateProgress, UpdateResult, SourceUpdateResult } from './update.js';
export { defaultSources, resolveSources, sourcesConfigPath, mirrorUrl, osvSource, osvSourceName, osvUrls, DEFAULT_OSV_ECOSYSTEMS, OSV_ORIGIN } from './sources.js';
export type { SourceSpec, SourceType, ResolveOptions } from './sources.js';
export { DownloadError } from './fetch.js';
