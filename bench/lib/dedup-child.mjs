// Child process for the de-duplication benchmark, on the built JavaScript: one case per run
// (`dpkg N` or `cyclonedx N`), timed from the parsed input to the packages; prints time and count.
import { catalogScan } from '../../dist/catalog/run.js';
import { dpkgCataloger } from '../../dist/catalog/dpkg/index.js';
import { indexFromMemory } from '../../dist/image/layer/memory-index.js';
import { readCycloneDx } from '../../dist/sbom/formats/cyclonedx-read.js';

const [kind, n] = [process.argv[2], Number(process.argv[3])];
let packages;
let t;
if (kind === 'dpkg') {
  // N stanzas: a and b repeated, a depending on b (what the issue measured: 169 s for 40,000).
  const pair = 'Package: a\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nDepends: b\n\nPackage: b\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n\n';
  const index = await indexFromMemory({ 'var/lib/dpkg/status': pair.repeat(n / 2) }, dpkgCataloger.capture, 'sha256:dup');
  const scan = { layers: [{ ref: { index: 0, digest: 'sha256:dup', diffId: 'sha256:dup' }, index, fromCache: false }], warnings: [], failedLayers: [] };
  t = process.hrtime.bigint();
  packages = (await catalogScan(scan, [dpkgCataloger])).packages.length;
} else {
  // N identical components sharing one bom-ref (115 s for 50,000 in the issue).
  const components = Array.from({ length: n }, () => ({ type: 'library', 'bom-ref': 'same', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' }));
  const text = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components });
  t = process.hrtime.bigint();
  packages = readCycloneDx(text).packages.length;
}
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, packages, maxRssKb: process.resourceUsage().maxRSS }));
