import { readFileSync } from 'node:fs';
import type { Attachment } from '../catalog/run.js';
import { captureFor } from '../catalog/selection.js';
import type { Cataloger } from '../catalog/types.js';
import { osReleaseCapture } from '../catalog/os-release.js';
import { imageMetadataFrom } from '../image/inspect.js';
import { scanIncomplete } from '../image/incomplete.js';
import { captureFingerprint, CompiledCapture, type AnalyzerKey } from '../image/capture.js';
import { join } from 'node:path';
import { CatalogCache, type CatalogSnapshot, type StoredSnapshot } from './result-cache.js';
import { withPackagesFromJson } from './lazy-packages.js';
import { openImage } from '../image/open.js';
import type { ImageScan, ScanOptions } from '../image/scan.js';
import type { Image, OpenOptions } from '../image/types.js';
import type { Sbom } from './model.js';
import type { SecretReport } from '../secrets/collect.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const TOOL = { name: pkg.name, version: pkg.version };

export interface SbomResult {
  sbom: Sbom;
  /** The layer pass, when layers were read (absent when the whole result came from the cache). */
  scan?: ImageScan;
  /** True when the catalog came from the image-level cache. */
  fromCache: boolean;
  /** VEX documents the image ships (`*.vex.json`), unparsed. */
  vexFiles: Attachment[];
  /** Leaked secrets, when asked for (`secrets: true`): found in the same layer pass. */
  secrets?: SecretReport;
}

/** Default cataloger set, loaded on demand so `image inspect` never pays for it. */
export async function defaultCatalogers(): Promise<Cataloger[]> {
  return (await import('../catalog/index.js')).allCatalogers;
}

/**
 * Image → SBOM: one streaming pass per layer (cached by diff_id) capturing what every
 * cataloger wants, then catalogers over the squashed view with layer attribution. The result
 * for an exact stack of layers is cached too (see CatalogCache).
 */
export async function sbomForImage(image: Image, catalogers?: Cataloger[], scanOpts: ScanOptions = {}, opts: { catalogCache?: boolean; secrets?: boolean } = {}): Promise<SbomResult> {
  // The secret scan is one more content scanner of the same layer pass, not a second read.
  const secrets = opts.secrets ? await import('../secrets/index.js') : undefined;
  const secretsCapture = { selectors: [], analyzers: secrets ? [secrets.secretsAnalyzer()] : [] };
  // The cache key needs what is selected, not the code that reads it: the default set's key
  // comes from the catalogers' spec modules, so a run served whole from the cache loads none.
  const specs = catalogers ? undefined : await import('../catalog/specs.js');
  const keyFingerprint = captureFingerprint(CompiledCapture.merge<AnalyzerKey>([specs?.fullSelection ?? captureFor(catalogers!, [osReleaseCapture]), secretsCapture]));
  const names = (specs?.allCatalogerSpecs ?? catalogers!).map((c) => c.name).join(',');
  const useCache = scanOpts.cache !== false && opts.catalogCache !== false && !image.layers.some((l) => l.indexWith);
  const cache = useCache ? new CatalogCache(scanOpts.cache ? join(scanOpts.cache.dir, '..') : undefined) : undefined;
  const key = CatalogCache.key(
    image.layers.map((l) => l.diffId),
    keyFingerprint + '|' + names,
    TOOL.version,
  );
  const hit = await cache?.get(key);
  if (hit) return { sbom: assemble(image, hit), fromCache: true, vexFiles: hit.vexFiles, ...(secrets && hit.secrets ? { secrets: secrets.withConfig(hit.secrets, image.config) } : {}) };
  const cats = catalogers ?? (await defaultCatalogers());
  // With SCOUT_THREADS=1 the default set is indexed in worker threads (they load the same spec
  // by name). Off by default: on the 2-core machines we measure on, it was no faster and used
  // twice the memory; bigger machines may gain.
  const threads = catalogers || secrets || process.env.SCOUT_THREADS !== '1' ? {} : { workerCapture: { module: (await import('../util/module-worker.js')).siblingModule(import.meta.url, '../catalog/index').href, name: 'fullCapture' } };
  const spec = CompiledCapture.merge([catalogers ? captureFor(cats, [osReleaseCapture]) : (await import('../catalog/index.js')).fullCapture, secretsCapture]);
  // A cataloger whose spec module says otherwise would file this scan under another selection's key.
  if (captureFingerprint(spec) !== keyFingerprint || cats.map((c) => c.name).join(',') !== names) throw new Error('the catalogers and their spec modules (src/catalog/*/spec.ts) select different files');
  const scan = await (await import('../image/scan.js')).scanImage(image, spec, { ...threads, ...scanOpts });
  const result = (await import('../catalog/run.js')).catalogScan(scan, cats);
  const snap: CatalogSnapshot = {
    packages: result.packages,
    distro: result.distro,
    warnings: [...scan.warnings, ...result.warnings],
    layerSizes: scan.layers.map((l) => l.index?.uncompressedSize),
    vexFiles: result.vexFiles,
    ...(secrets ? { secrets: secrets.fileSecrets(scan) } : {}),
  };
  // Not a scan that left something out: a layer failed, or a limit cut one short (an
  // image-wide budget, which a later run with a bigger one must not find spent here).
  if (cache && !scanIncomplete(scan.warnings)) {
    try {
      // Whether this run could write the cache is no news to a later run served from it.
      cache.put(key, { ...snap, warnings: snap.warnings.filter((w) => w.code !== 'cache-write-failed') });
    } catch {
      // An unwritable cache costs the next run time, not this one its SBOM (the layer pass
      // warns of it when it cannot write either).
    }
  }
  return { sbom: assemble(image, snap), scan, fromCache: false, vexFiles: result.vexFiles, ...(secrets && snap.secrets ? { secrets: secrets.withConfig(snap.secrets, image.config) } : {}) };
}

function assemble(image: Image, snap: CatalogSnapshot | StoredSnapshot): Sbom {
  const allRead = snap.layerSizes.every((n) => n !== undefined);
  const sbom: Sbom = {
    schema: 'iechor-scout/sbom@1',
    generatedAt: new Date().toISOString(),
    tool: TOOL,
    image: imageMetadataFrom(image, { layerSizes: snap.layerSizes, allLayersRead: allRead, distro: snap.distro }),
    ...(snap.distro ? { distro: snap.distro } : {}),
    // From the cache: a placeholder in the packages' place, their text parsed when read.
    packages: 'packages' in snap ? snap.packages : [],
    packageCount: 'packages' in snap ? snap.packages.length : snap.packageCount,
    warnings: snap.warnings,
  };
  return 'packagesJson' in snap ? withPackagesFromJson(sbom, snap.packagesJson) : sbom;
}

export async function sbomForRef(ref: string, opts: OpenOptions = {}, scanOpts: ScanOptions = {}, catalogers?: Cataloger[], build: { secrets?: boolean } = {}): Promise<SbomResult> {
  return sbomForImage(await openImage(ref, opts), catalogers, scanOpts, build);
}
