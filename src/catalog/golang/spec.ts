import type { AnalyzerKey } from '../../image/capture.js';
import type { CatalogerSpec } from '../types.js';

export const GO_BUILDINFO: AnalyzerKey = {
  name: 'go-buildinfo',
  // 2: build info over MAX_BUILDINFO_STRING is read that far (cutFrom), no longer refused.
  version: 2,
  maxSize: 256 * 1024 * 1024,
};

export const goBinarySpec = {
  name: 'go-binary-cataloger',
  capture: { selectors: [], analyzers: [GO_BUILDINFO] },
} satisfies CatalogerSpec;
