import type { AnalyzerKey } from '../../image/capture.js';
import type { CatalogerSpec } from '../types.js';

export const JAVA_ARCHIVE: AnalyzerKey = {
  name: 'java-archive',
  // 2: artifacts carry author and description. 3: a jar whose manifest names no coordinates is named by its file.
  // 4: nested archives a limit left unread mark the layer incomplete (results cached before did not).
  version: 4,
  maxSize: 256 * 1024 * 1024,
};

export const javaSpec = {
  name: 'java-archive-cataloger',
  capture: { selectors: [], analyzers: [JAVA_ARCHIVE] },
} satisfies CatalogerSpec;
