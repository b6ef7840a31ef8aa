import { OS_RELEASE_PATHS } from '../os-release.js';
import type { CatalogerSpec } from '../types.js';

/** rpm >= 4.17 on Fedora/openSUSE keeps the database under /usr/lib/sysimage; older ones under /var/lib. */
export const RPMDB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
/** The database backends' files, in the order rpm prefers them when several sit in one directory. */
export const RPMDB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'] as const;
/** rpm databases of large images run to hundreds of MiB. */
const MAX_RPMDB = 512 * 1024 * 1024;

export const rpmSpec = {
  name: 'rpm-cataloger',
  capture: {
    selectors: [
      { globs: RPMDB_DIRS.map((d) => `${d}/{${RPMDB_FILES.join(',')}}`), maxSize: MAX_RPMDB },
      { globs: OS_RELEASE_PATHS, maxSize: 64 * 1024 },
    ],
    analyzers: [],
  },
} satisfies CatalogerSpec;
