/**
 * Every cataloger, in the order their packages are listed. A new ecosystem is one folder
 * under src/catalog/ exporting a Cataloger, plus one line here.
 */
import { apkCataloger } from './apk/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { javaCataloger } from './java/index.js';
import { pythonCataloger } from './python/index.js';
import { rpmCataloger } from './rpm/index.js';
import type { Cataloger } from './types.js';

export const allCatalogers: Cataloger[] = [dpkgCataloger, apkCataloger, rpmCataloger, pythonCataloger, javaCataloger];
