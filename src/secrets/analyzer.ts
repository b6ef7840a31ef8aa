/**
 * The secret scan as a content scanner of the layer pass: every text file of every layer is
 * searched while the layer streams (no second read), and the hits are kept in the layer's
 * index, so they are cached by diff_id with it. Files a later layer deleted are searched like
 * any other: their layer still ships them.
 */
import type { FileAnalyzer } from '../image/capture.js';
import { inPackageTree, isPackageTest, looksBinary } from './paths.js';
import { keywordStream, scanText } from './scan-text.js';

export const SECRETS_ANALYZER = 'secrets';

/** Bigger text files (bundled JavaScript, data dumps) are skipped and counted. */
export function secretsMaxFileBytes(): number {
  const n = Number(process.env.SCOUT_SECRETS_MAX_FILE_BYTES);
  return Number.isFinite(n) && n > 0 ? n : 2 * 1024 * 1024;
}

/** What the tally counts: files the scan did not read, by reason. */
export type SkipReason = 'binary' | 'over-cap' | 'package-test';

export function secretsAnalyzer(maxSize = secretsMaxFileBytes()): FileAnalyzer {
  return {
    name: SECRETS_ANALYZER,
    // Bump when rules change: cached layer results of older rules are then not used.
    version: 1,
    maxSize,
    select: (path, size, head) => size <= maxSize && !looksBinary(head) && !isPackageTest(path),
    // Most text files hold no rule's keyword: they are searched as they stream by and never
    // put together in memory.
    prefilter: keywordStream,
    analyze: (content, path) => {
      const hits = scanText(content, !inPackageTree(path));
      return hits.length ? hits : undefined;
    },
    tally: (path, size, head): SkipReason | undefined => (looksBinary(head) ? 'binary' : size > maxSize ? 'over-cap' : isPackageTest(path) ? 'package-test' : undefined),
  };
}
