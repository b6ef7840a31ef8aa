/**
 * What the layer pass keeps for a set of catalogers: their captures, plus the files the runner
 * reads itself (which OS package installed which file, in-image VEX documents). Loads no
 * cataloger: it takes specs or catalogers alike, so the cache key of a fully cached run and
 * the capture of a real one come from the same function.
 */
import { CompiledCapture, type AnalyzerKey, type CaptureSpec, type FileSelector } from '../image/capture.js';
import { DPKG_STATUS_D } from './dpkg/spec.js';

/**
 * Which OS package installed which file (see ownership.ts). A language package whose evidence
 * an OS package installed is marked `ownedBy` it.
 */
export const ownershipCapture = {
  selectors: [{ globs: ['/var/lib/dpkg/info/*.list', `${DPKG_STATUS_D}/*.md5sums`], maxSize: 32 * 1024 * 1024 }],
  analyzers: [],
} satisfies CaptureSpec;

/** In-image VEX documents: Docker Scout reads any `*.vex.json` file in the image. */
export const attachmentsCapture = {
  selectors: [{ globs: ['**/*.vex.json'], maxSize: 16 * 1024 * 1024 }],
  analyzers: [],
} satisfies CaptureSpec;

/**
 * Everything the layer pass must keep for these catalogers (plus `extra`, os-release for the
 * distro). Given Catalogers it is a CaptureSpec to scan with; given CatalogerSpecs, the same
 * selection as cache keys see it.
 */
export function captureFor<A extends AnalyzerKey>(catalogers: readonly { capture: { selectors: FileSelector[]; analyzers: A[] } }[], extra: readonly { selectors: FileSelector[]; analyzers: A[] }[] = []): { selectors: FileSelector[]; analyzers: A[] } {
  return CompiledCapture.merge<A>([...catalogers.map((c) => c.capture), ownershipCapture, attachmentsCapture, ...extra]);
}
