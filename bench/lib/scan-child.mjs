// Child process for the image-read benchmark, on the built JavaScript (what users run):
// open + index every layer, print time and peak RSS.
import { LayerCache } from '../../dist/image/cache.js';
import { INSPECT_CAPTURE } from '../../dist/image/inspect.js';
import { openImage } from '../../dist/image/open.js';
import { scanImage, treeOf } from '../../dist/image/scan.js';

const [ref, cacheDir] = process.argv.slice(2);
await import('../../dist/image/sources/oci-layout.js');
const threads = process.env.SCOUT_THREADS === '1';
const t = process.hrtime.bigint();
const img = await openImage(ref);
const scan = await scanImage(img, INSPECT_CAPTURE, {
  cache: new LayerCache(cacheDir),
  ...(threads ? { workerCapture: { module: new URL('../../dist/image/inspect.js', import.meta.url).href, name: 'INSPECT_CAPTURE' } } : {}),
});
// The SBOM path builds the sparse tree (only what catalogers look at); the listing is counted
// from the layer indexes, which is what `image inspect` reports.
treeOf(scan, true);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
let files = 0;
for (const l of scan.layers) for (const e of l.index?.entries ?? []) if (e.type === 'file') files++;
console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, files, failed: scan.failedLayers.length, fromCache: scan.layers.filter((l) => l.fromCache).length }));
