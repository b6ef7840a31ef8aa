/**
 * What one image scan may spend, across all its layers, on work whose cost a hostile image
 * controls beyond its own size: file contents kept in memory, and archives nested in archives
 * (a 20 KB jar that fans out 40 ways, eight copies deep, took 234 s and 1.1 GB). Each file and
 * each outer archive has caps of its own; this is the allowance they all draw on. Counts and
 * bytes bound most of the work, but not all of it (a CRC over a big stored entry, a slow
 * machine), so the time spent on nested archives is budgeted too: a crafted archive cannot
 * stall a scan past it, whatever the other limits are raised to.
 *
 * The counters live in a SharedArrayBuffer, so layers indexed on worker threads and archives
 * analyzed on the helper thread draw on the same budget as the main thread (see `state`).
 */
import { envNumber } from './limits.js';

export interface ImageBudgetLimits {
  /** File contents kept in memory (package databases, SBOMs, manifests). */
  capturedBytes: number;
  /** Archives read from inside other archives (jars in wars, wars in ears, ...). */
  nestedArchives: number;
  /** Entries listed in those nested archives. */
  nestedEntries: number;
  /** Uncompressed bytes of those nested archives. */
  nestedBytes: number;
  /** Deepest nesting followed (an archive in the image is depth 0, a jar inside it depth 1). */
  nestedDepth: number;
  /** Milliseconds spent reading nested archives, summed over every thread of the scan. */
  nestedMs: number;
}

/** What is counted: every limit above but the depth, which is not spent. */
export type BudgetItem = Exclude<keyof ImageBudgetLimits, 'nestedDepth'>;

const SLOTS: Record<BudgetItem, number> = { capturedBytes: 0, nestedArchives: 1, nestedEntries: 2, nestedBytes: 3, nestedMs: 4 };
/** Counters are integers: time is kept in microseconds, so the many sub-millisecond charges add up. */
const SCALE: Record<BudgetItem, number> = { capturedBytes: 1, nestedArchives: 1, nestedEntries: 1, nestedBytes: 1, nestedMs: 1000 };

/** The environment variable that raises each limit (named in warnings). */
export const BUDGET_VARIABLES: Record<keyof ImageBudgetLimits, string> = {
  capturedBytes: 'SCOUT_MAX_CAPTURED_BYTES',
  nestedArchives: 'SCOUT_MAX_NESTED_ARCHIVES',
  nestedEntries: 'SCOUT_MAX_NESTED_ENTRIES',
  nestedBytes: 'SCOUT_MAX_NESTED_BYTES',
  nestedDepth: 'SCOUT_MAX_NESTED_DEPTH',
  nestedMs: 'SCOUT_MAX_NESTED_MS',
};

export function imageBudgetLimits(): ImageBudgetLimits {
  return {
    capturedBytes: envNumber(BUDGET_VARIABLES.capturedBytes, 1024 ** 3),
    nestedArchives: envNumber(BUDGET_VARIABLES.nestedArchives, 20_000),
    nestedEntries: envNumber(BUDGET_VARIABLES.nestedEntries, 2_000_000),
    nestedBytes: envNumber(BUDGET_VARIABLES.nestedBytes, 4 * 1024 ** 3),
    nestedDepth: envNumber(BUDGET_VARIABLES.nestedDepth, 4),
    // Far more than honest images need (20,000 nested jars read in about 5 s), far less than a stall.
    nestedMs: envNumber(BUDGET_VARIABLES.nestedMs, 60_000),
  };
}

/** A budget as it travels to another thread (structured-cloned; the buffer stays shared). */
export interface ImageBudgetState {
  limits: ImageBudgetLimits;
  used: SharedArrayBuffer;
}

export class ImageBudget {
  private readonly counters: BigInt64Array;

  constructor(
    readonly limits: ImageBudgetLimits = imageBudgetLimits(),
    private readonly used = new SharedArrayBuffer(8 * Object.keys(SLOTS).length),
  ) {
    this.counters = new BigInt64Array(used);
  }

  /** The same budget on another thread. */
  static attach(state: ImageBudgetState): ImageBudget {
    return new ImageBudget(state.limits, state.used);
  }

  get state(): ImageBudgetState {
    return { limits: this.limits, used: this.used };
  }

  /** Reserve `n` of `item`; false (nothing reserved) when they do not fit. */
  take(item: BudgetItem, n: number): boolean {
    const slot = SLOTS[item];
    const max = BigInt(Math.round(this.limits[item] * SCALE[item]));
    const want = BigInt(Math.round(n * SCALE[item]));
    // Several threads may take at once: retry until our read is the value we replace.
    for (;;) {
      const have = Atomics.load(this.counters, slot);
      if (have + want > max) return false;
      if (Atomics.compareExchange(this.counters, slot, have, have + want) === have) return true;
    }
  }

  /**
   * Record `n` of `item` already used (time: it is known only afterwards), even past the limit;
   * true while the total is within it.
   */
  spend(item: BudgetItem, n: number): boolean {
    const was = Atomics.add(this.counters, SLOTS[item], BigInt(Math.round(n * SCALE[item])));
    return Number(was) / SCALE[item] + n <= this.limits[item];
  }

  /** Whether any of `item` is left (nothing is reserved). */
  left(item: BudgetItem): boolean {
    return this.taken(item) < this.limits[item];
  }

  taken(item: BudgetItem): number {
    return Number(Atomics.load(this.counters, SLOTS[item])) / SCALE[item];
  }
}
