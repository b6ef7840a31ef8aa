/**
 * What the updater remembers between runs that the store has no column for: the HTTP validators
 * (ETag / Last-Modified) of each URL it last imported successfully. The incremental cursor itself
 * lives in the store (`sources.last_modified`), so it can never disagree with the data.
 *
 * The file sits in the cache dir, which anyone may touch: an unreadable or odd file is treated as
 * empty (the only cost is one unconditional download per feed).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Validators } from './fetch.js';

interface StateFile {
  version: 1;
  validators: Record<string, Validators>;
}

const MAX_STATE_BYTES = 4 * 1024 * 1024;

export class UpdateState {
  private constructor(readonly path: string, private readonly data: StateFile) {}

  static async load(path: string): Promise<UpdateState> {
    const empty: StateFile = { version: 1, validators: {} };
    try {
      const text = await readFile(path, 'utf8');
      if (text.length > MAX_STATE_BYTES) return new UpdateState(path, empty);
      const v = JSON.parse(text) as Partial<StateFile>;
      if (v?.version !== 1 || typeof v.validators !== 'object' || v.validators === null) return new UpdateState(path, empty);
      const validators: Record<string, Validators> = {};
      for (const [url, val] of Object.entries(v.validators)) {
        if (typeof val !== 'object' || val === null) continue;
        const out: Validators = {};
        if (typeof val.etag === 'string' && val.etag.length <= 1024) out.etag = val.etag;
        if (typeof val.lastModified === 'string' && val.lastModified.length <= 100) out.lastModified = val.lastModified;
        validators[url] = out;
      }
      return new UpdateState(path, { version: 1, validators });
    } catch {
      return new UpdateState(path, empty);
    }
  }

  validators(url: string): Validators | undefined {
    const v = this.data.validators[url];
    return v && (v.etag || v.lastModified) ? v : undefined;
  }

  setValidators(url: string, v: Validators): void {
    if (v.etag || v.lastModified) this.data.validators[url] = { ...v };
    else delete this.data.validators[url];
  }

  /** Written to a temporary name and renamed, so a crash never leaves half a file. */
  async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.data, null, 2));
    await rename(tmp, this.path);
  }
}
