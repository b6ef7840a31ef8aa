import type { CatalogerSpec } from '../types.js';

export const dotnetSpec = {
  name: 'dotnet-deps-cataloger',
  capture: { selectors: [{ globs: ['**/*.deps.json'], maxSize: 16 * 1024 * 1024 }], analyzers: [] },
} satisfies CatalogerSpec;
