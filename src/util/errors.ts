/**
 * Errors raised for hostile or broken input. Every one names *what* was wrong and *where*
 * (layer, path, file), so a user can act on it; callers decide whether the scan can go on.
 */
export class ScoutError extends Error {
  readonly code: string;
  readonly layer?: string;
  readonly path?: string;

  constructor(code: string, message: string, where: { layer?: string; path?: string; cause?: unknown } = {}) {
    super(message, where.cause !== undefined ? { cause: where.cause } : undefined);
    this.name = 'ScoutError';
    this.code = code;
    this.layer = where.layer;
    this.path = where.path;
  }
}

/** A problem that did not stop the scan: it is reported beside the result. */
export interface ScanWarning {
  code: string;
  message: string;
  layer?: string;
  path?: string;
  /**
   * This layer was not read whole: the result lacks some of its files or packages (see
   * image/incomplete.ts). With `partlyRead`, it was read except where that says; without, not
   * at all.
   */
  layerFailed?: boolean;
  /** Where a limit stopped the reading of an otherwise read layer (set with layerFailed). */
  partlyRead?: PartlyRead;
}

export interface PartlyRead {
  /** The file, or the archive inside a file (`/app/a.jar:lib/b.jar`), where reading stopped. */
  stoppedAt: string;
  /** Why, in a few words ("nested archive budget (time) exceeded"). */
  reason: string;
  /** Regular files of the layer read before it, and after it (the layer pass went on). */
  filesBefore: number;
  filesAfter: number;
}

/** Collects warnings; shared by image reading, catalogers and importers. */
export class Warnings {
  readonly items: ScanWarning[] = [];
  add(code: string, message: string, where: { layer?: string; path?: string } = {}): void {
    this.items.push({ code, message, ...where });
  }
  fromError(err: unknown, fallbackCode = 'error', where: { layer?: string; path?: string } = {}): void {
    if (err instanceof ScoutError) this.add(err.code, err.message, { layer: err.layer ?? where.layer, path: err.path ?? where.path });
    else this.add(fallbackCode, err instanceof Error ? err.message : String(err), where);
  }
}
