/**
 * How many bytes of file contents one scan may keep in memory, across all its layers. Each
 * wanted file is capped on its own (a selector's maxSize), but an image of forty 60 MB
 * embedded SBOMs took 5 GB: past the budget, further wanted files are skipped, each with a
 * warning naming it. SCOUT_MAX_CAPTURED_BYTES, default 1 GiB.
 */
export class CaptureBudget {
  private used = 0;

  constructor(readonly max = budgetFromEnv()) {}

  /** Reserve `n` bytes; false (nothing reserved) when they do not fit. */
  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  get taken(): number {
    return this.used;
  }
}

function budgetFromEnv(): number {
  const n = Number(process.env.SCOUT_MAX_CAPTURED_BYTES);
  return Number.isFinite(n) && n > 0 ? n : 1024 ** 3;
}
