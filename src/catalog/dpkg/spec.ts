import { OS_RELEASE_PATHS } from '../os-release.js';
import type { CatalogerSpec } from '../types.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_STATUS_D = '/var/lib/dpkg/status.d';
export const EXTENDED_STATES_PATH = '/var/lib/apt/extended_states';

export const dpkgSpec = {
  name: 'dpkg-cataloger',
  capture: {
    selectors: [
      { globs: [DPKG_STATUS, `${DPKG_STATUS_D}/*`], maxSize: 256 * 1024 * 1024 },
      // Most are a few KB; Boost's list every file and pass 2 MB.
      { globs: ['/usr/share/doc/*/copyright'], maxSize: 4 * 1024 * 1024 },
      { globs: [EXTENDED_STATES_PATH], maxSize: 64 * 1024 * 1024 },
      { globs: OS_RELEASE_PATHS, maxSize: 64 * 1024 },
    ],
    analyzers: [],
  },
} satisfies CatalogerSpec;
