/** Messages between scanImage and the layer-indexing worker threads. */
export interface CaptureRef {
  /** Module URL exporting the CaptureSpec (workers cannot receive functions). */
  module: string;
  name: string;
}

export interface LayerJob {
  id: number;
  digest: string;
  diffId: string;
  /** The blob's size from its descriptor. */
  size: number;
  label: string;
  capture: CaptureRef;
  /** The scan's budget, shared with every thread of the scan. */
  budget?: import('../image-budget.js').ImageBudgetState;
  /** Compressed bytes arrive on this port as ArrayBuffers; null ends, {error} aborts. */
  port: import('node:worker_threads').MessagePort;
}

export type LayerJobResult =
  | { id: number; index: import('../layer-index.js').LayerIndex }
  | { id: number; error: { code: string; message: string; layer?: string; path?: string } };

/** Flow control: the sender pauses while this many bytes are unacknowledged. */
export const HIGH_WATER = 8 * 1024 * 1024;
