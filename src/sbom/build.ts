import { readFileSync } from 'node:fs';
import { catalogScan, captureFor } from '../catalog/run.js';
import type { Cataloger } from '../catalog/types.js';
import { osReleaseCapture } from '../catalog/os-release.js';
import { imageMetadata } from '../image/inspect.js';
import { openImage } from '../image/open.js';
import { scanImage, treeOf, type ImageScan, type ScanOptions } from '../image/scan.js';
import type { Image, OpenOptions } from '../image/types.js';
import type { Sbom } from './model.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const TOOL = { name: pkg.name, version: pkg.version };

export interface SbomResult {
  sbom: Sbom;
  scan: ImageScan;
}

/** Default cataloger set, loaded on demand so `image inspect` never pays for it. */
export async function defaultCatalogers(): Promise<Cataloger[]> {
  return (await import('../catalog/index.js')).allCatalogers;
}

/**
 * Image → SBOM: one streaming pass per layer (cached by diff_id) capturing what every
 * cataloger wants, then catalogers over the squashed view with layer attribution.
 */
export async function sbomForImage(image: Image, catalogers?: Cataloger[], scanOpts: ScanOptions = {}): Promise<SbomResult> {
  const cats = catalogers ?? (await defaultCatalogers());
  // The default set can be indexed in worker threads: they load the same spec by name.
  const threads = catalogers ? {} : { workerCapture: { module: new URL(`../catalog/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href, name: 'fullCapture' } };
  const spec = catalogers ? captureFor(cats, [osReleaseCapture]) : (await import('../catalog/index.js')).fullCapture;
  const scan = await scanImage(image, spec, { ...threads, ...scanOpts });
  const result = catalogScan(scan, cats);
  const image_ = imageMetadata(image, scan, treeOf(scan, true));
  const sbom: Sbom = {
    schema: 'iechor-scout/sbom@1',
    generatedAt: new Date().toISOString(),
    tool: TOOL,
    image: image_,
    ...(result.distro ? { distro: result.distro } : {}),
    packages: result.packages,
    packageCount: result.packages.length,
    warnings: [...scan.warnings, ...result.warnings],
  };
  return { sbom, scan };
}

export async function sbomForRef(ref: string, opts: OpenOptions = {}, scanOpts: ScanOptions = {}, catalogers?: Cataloger[]): Promise<SbomResult> {
  return sbomForImage(await openImage(ref, opts), catalogers, scanOpts);
}
