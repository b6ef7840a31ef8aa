/**
 * Every cataloger, in the order their packages are listed. A new ecosystem is one folder
 * under src/catalog/ exporting a Cataloger (index.ts) and its CatalogerSpec (spec.ts), plus
 * one line here and one in specs.ts, in the same place.
 */
import { osReleaseCapture } from './os-release.js';
import { apkCataloger } from './apk/index.js';
import { composerCataloger } from './composer/index.js';
import { dotnetCataloger } from './dotnet/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { embeddedSbomCataloger } from './embedded-sbom/index.js';
import { gemCataloger } from './gem/index.js';
import { goBinaryCataloger } from './golang/index.js';
import { javaCataloger } from './java/index.js';
import { javascriptCatalogers } from './npm/index.js';
import { pythonCataloger } from './python/index.js';
import { rpmCataloger } from './rpm/index.js';
import { runtimeCatalogers } from './runtimes/index.js';
import { rustCataloger } from './rust/index.js';
import { captureFor } from './selection.js';
import type { Cataloger } from './types.js';

export const allCatalogers: Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  ...javascriptCatalogers,
  pythonCataloger,
  javaCataloger,
  goBinaryCataloger,
  rustCataloger,
  gemCataloger,
  composerCataloger,
  dotnetCataloger,
  ...runtimeCatalogers,
  embeddedSbomCataloger,
];

/**
 * What the layer pass keeps for a full SBOM. Exported by name so worker threads can load the
 * very same spec (they cannot be handed functions).
 */
export const fullCapture = captureFor(allCatalogers, [osReleaseCapture]);
