/**
 * Every cataloger's selection spec, in index.ts's order, and the selection they make together:
 * all a run served whole from the catalog cache needs for its key, without loading a single
 * cataloger (index.ts loads them all). A new ecosystem adds its spec here and its cataloger there.
 */
import { apkSpec } from './apk/spec.js';
import { composerSpec } from './composer/spec.js';
import { dotnetSpec } from './dotnet/spec.js';
import { dpkgSpec } from './dpkg/spec.js';
import { embeddedSbomSpec } from './embedded-sbom/spec.js';
import { gemSpec } from './gem/spec.js';
import { goBinarySpec } from './golang/spec.js';
import { javaSpec } from './java/spec.js';
import { npmSpec } from './npm/spec.js';
import { osReleaseCapture } from './os-release.js';
import { pythonSpec } from './python/spec.js';
import { rpmSpec } from './rpm/spec.js';
import { goToolchainSpec, nodeRuntimeSpec, openjdkRuntimeSpec, pythonRuntimeSpec } from './runtimes/spec.js';
import { rustSpec } from './rust/spec.js';
import { captureFor } from './selection.js';
import type { CatalogerSpec } from './types.js';

export const allCatalogerSpecs: CatalogerSpec[] = [
  dpkgSpec,
  apkSpec,
  rpmSpec,
  npmSpec,
  pythonSpec,
  javaSpec,
  goBinarySpec,
  rustSpec,
  gemSpec,
  composerSpec,
  dotnetSpec,
  nodeRuntimeSpec,
  pythonRuntimeSpec,
  openjdkRuntimeSpec,
  goToolchainSpec,
  embeddedSbomSpec,
];

/** index.ts's fullCapture as cache keys see it. */
export const fullSelection = captureFor(allCatalogerSpecs, [osReleaseCapture]);
