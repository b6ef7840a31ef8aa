import type { CatalogerSpec } from '../types.js';

export const composerSpec = {
  name: 'php-composer-cataloger',
  capture: {
    selectors: [{ globs: ['**/vendor/composer/installed.json', '**/composer.lock'], maxSize: 32 * 1024 * 1024 }],
    analyzers: [],
  },
} satisfies CatalogerSpec;
