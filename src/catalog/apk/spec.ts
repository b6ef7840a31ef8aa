import { OS_RELEASE_PATHS } from '../os-release.js';
import type { CatalogerSpec } from '../types.js';

/** apk-tools 2 keeps its database under /lib; apk-tools 3 under /usr/lib. */
export const APK_DB_PATHS = ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'];
/** Packages the user asked for by name (everything else was pulled in as a dependency). */
export const APK_WORLD = '/etc/apk/world';

export const apkSpec = {
  name: 'apk-cataloger',
  capture: {
    selectors: [
      { globs: APK_DB_PATHS, maxSize: 256 * 1024 * 1024 },
      { globs: [APK_WORLD], maxSize: 4 * 1024 * 1024 },
      { globs: OS_RELEASE_PATHS, maxSize: 64 * 1024 },
    ],
    analyzers: [],
  },
} satisfies CatalogerSpec;
