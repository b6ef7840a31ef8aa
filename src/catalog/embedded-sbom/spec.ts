import type { CatalogerSpec } from '../types.js';

export const EMBEDDED_SBOM = 'embedded-sbom-cataloger';

export const embeddedSbomSpec = {
  name: EMBEDDED_SBOM,
  capture: {
    selectors: [{ globs: ['**/*.spdx.json', '**/*.cdx.json', '/var/lib/db/sbom/**'], maxSize: 64 * 1024 * 1024 }],
    analyzers: [],
  },
} satisfies CatalogerSpec;
