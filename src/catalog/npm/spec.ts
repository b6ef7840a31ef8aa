import type { CatalogerSpec } from '../types.js';

export const npmSpec = {
  name: 'npm-cataloger',
  capture: {
    selectors: [
      { globs: ['**/node_modules/**/package.json', '**/package.json'], maxSize: 4 * 1024 * 1024 },
      { globs: ['**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/pnpm-lock.yaml'], maxSize: 64 * 1024 * 1024 },
    ],
    analyzers: [],
  },
} satisfies CatalogerSpec;
