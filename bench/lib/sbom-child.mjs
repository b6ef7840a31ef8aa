// Child process for the SBOM benchmark, on the built JavaScript: full catalog of an image,
// print time, peak RSS and packages found.
import { LayerCache } from '../../dist/image/cache.js';
import { openImage } from '../../dist/image/open.js';
import { sbomForImage } from '../../dist/sbom/build.js';

const [ref, cacheDir] = process.argv.slice(2);
const t = process.hrtime.bigint();
const catalogCache = process.env.SCOUT_BENCH_CATALOG_CACHE !== '0';
const { sbom, fromCache } = await sbomForImage(await openImage(ref), undefined, { cache: new LayerCache(cacheDir) }, { catalogCache });
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const byType = {};
for (const p of sbom.packages) byType[p.type] = (byType[p.type] ?? 0) + 1;
const ru = process.resourceUsage();
// CPU of every thread of the process (zlib's, the garbage collector's) from start to finish.
const cpuMs = (ru.userCPUTime + ru.systemCPUTime) / 1000;
console.log(JSON.stringify({ ms, cpuMs, maxRssKb: ru.maxRSS, packages: sbom.packageCount, fromCache, byType, warnings: sbom.warnings.length }));
