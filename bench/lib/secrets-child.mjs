// Child process for the secrets benchmark, on the built JavaScript: a cold catalog of an image
// with or without the secret scan in the same layer pass; prints time and what was found.
import { LayerCache } from '../../dist/image/cache.js';
import { openImage } from '../../dist/image/open.js';
import { sbomForImage } from '../../dist/sbom/build.js';

const [ref, cacheDir, withSecrets] = process.argv.slice(2);
const t = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const { sbom, secrets } = await sbomForImage(await openImage(ref), undefined, { cache: new LayerCache(cacheDir) }, { catalogCache: false, secrets: withSecrets === '1' });
const ms = Number(process.hrtime.bigint() - t) / 1e6;
// CPU time of every thread of the process: on a loaded machine it moves far less than wall time.
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, packages: sbom.packageCount, secrets: secrets?.findings.length ?? 0, skipped: secrets?.skipped ?? null }));
