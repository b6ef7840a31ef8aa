// Child process for the secrets benchmark, on the built JavaScript: a cold catalog of an image
// with or without the secret scan in the same layer pass; prints time and what was found.
import { LayerCache } from '../../dist/image/cache.js';
import { openImage } from '../../dist/image/open.js';
import { sbomForImage } from '../../dist/sbom/build.js';

const [ref, cacheDir, withSecrets] = process.argv.slice(2);
const t = process.hrtime.bigint();
const { sbom, secrets } = await sbomForImage(await openImage(ref), undefined, { cache: new LayerCache(cacheDir) }, { catalogCache: false, secrets: withSecrets === '1' });
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, packages: sbom.packageCount, secrets: secrets?.findings.length ?? 0, skipped: secrets?.skipped ?? null }));
