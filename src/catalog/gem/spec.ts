import type { CatalogerSpec } from '../types.js';

export const gemSpec = {
  name: 'ruby-gem-cataloger',
  capture: {
    selectors: [
      { globs: ['**/specifications/*.gemspec', '**/specifications/default/*.gemspec'], maxSize: 1024 * 1024 },
      { globs: ['**/Gemfile.lock', '**/gems.locked'], maxSize: 8 * 1024 * 1024 },
    ],
    analyzers: [],
  },
} satisfies CatalogerSpec;
