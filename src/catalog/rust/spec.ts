import type { AnalyzerKey } from '../../image/capture.js';
import type { CatalogerSpec } from '../types.js';

export const CARGO_AUDITABLE: AnalyzerKey = { name: 'cargo-auditable', version: 1, maxSize: 256 * 1024 * 1024 };

export const rustSpec = {
  name: 'rust-cataloger',
  capture: { selectors: [{ globs: ['**/Cargo.lock'], maxSize: 16 * 1024 * 1024 }], analyzers: [CARGO_AUDITABLE] },
} satisfies CatalogerSpec;
