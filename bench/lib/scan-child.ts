// Child process for the image-read benchmark: open + index every layer, print time and peak RSS.
import { LayerCache } from '../../src/image/cache.js';
import { INSPECT_CAPTURE } from '../../src/image/inspect.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';

const [ref, cacheDir] = process.argv.slice(2);
const t = process.hrtime.bigint();
const img = await openImage(ref);
const scan = await scanImage(img, INSPECT_CAPTURE, { cache: new LayerCache(cacheDir) });
const tree = treeOf(scan);
let files = 0;
for (const n of tree.walk()) if (n.type === 'file') files++;
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, files, failed: scan.failedLayers.length, fromCache: scan.layers.filter((l) => l.fromCache).length }));
