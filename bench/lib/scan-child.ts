// Child process for the image-read benchmark: open + index every layer, print time and peak RSS.
import { LayerCache } from '../../src/image/cache.js';
import { INSPECT_CAPTURE } from '../../src/image/inspect.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';

const [ref, cacheDir] = process.argv.slice(2);
// Load the lazily imported source modules first: the product runs compiled JavaScript, and
// tsx's on-the-fly transpiling is not part of what we measure.
await import('../../src/image/sources/oci-layout.js');
const t = process.hrtime.bigint();
const img = await openImage(ref);
const threads = process.env.SCOUT_BENCH_THREADS !== '0';
const scan = await scanImage(img, INSPECT_CAPTURE, {
  cache: new LayerCache(cacheDir),
  ...(threads ? { workerCapture: { module: new URL('../../src/image/inspect.ts', import.meta.url).href, name: 'INSPECT_CAPTURE' } } : {}),
});
// The SBOM path builds the sparse tree (only what catalogers look at); the listing is counted
// from the layer indexes, which is what `image inspect` reports.
treeOf(scan, true);
let files = 0;
for (const l of scan.layers) for (const e of l.index?.entries ?? []) if (e.type === 'file') files++;
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, files, failed: scan.failedLayers.length, fromCache: scan.layers.filter((l) => l.fromCache).length }));
