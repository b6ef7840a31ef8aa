// Child process for the SBOM benchmark: full catalog of an image, print time, RSS, packages.
import { LayerCache } from '../../src/image/cache.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';

const [ref, cacheDir] = process.argv.slice(2);
// Load lazily imported modules first: the product runs compiled JavaScript, and tsx's
// on-the-fly transpiling is not part of what we measure.
await import('../../src/image/sources/oci-layout.js');
await import('../../src/catalog/index.js');
const t = process.hrtime.bigint();
const { sbom } = await sbomForImage(await openImage(ref), undefined, { cache: new LayerCache(cacheDir) });
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const byType: Record<string, number> = {};
for (const p of sbom.packages) byType[p.type] = (byType[p.type] ?? 0) + 1;
console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, packages: sbom.packageCount, byType, warnings: sbom.warnings.length }));
