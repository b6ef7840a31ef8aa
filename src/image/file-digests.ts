/**
 * Digests worked out from a local file, remembered for as long as the file is unchanged: a
 * warm re-scan of the same `docker save` archive need not read and hash its layers again just
 * to name them. "Unchanged" is what make and git trust: the same device, inode, size, mtime and
 * ctime (nanoseconds). Any write to the file moves its ctime, and ctime cannot be set back
 * by a user, so a changed archive always misses and is hashed again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from './cache.js';

/** Bumped if the meaning of a remembered digest changes. */
const FORMAT = 1;

/**
 * A file as it is now: its real path, device, inode, size, mtime and ctime (nanoseconds). Two
 * equal identities mean the same, unchanged file, as far as anything short of reading it can tell.
 */
export async function fileIdentity(path: string): Promise<string> {
  const st = await stat(path, { bigint: true });
  return JSON.stringify([FORMAT, await realpath(path), String(st.dev), String(st.ino), String(st.size), String(st.mtimeNs), String(st.ctimeNs)]);
}

export class FileDigests {
  private readonly known: Record<string, string>;
  private readonly added: Record<string, string> = {};

  private constructor(
    private readonly file: string | undefined,
    private readonly identity: string,
    known: Record<string, string>,
  ) {
    this.known = known;
  }

  /** The memory of `path` as it is now (empty when it changed, or was never seen); a null root remembers nothing. */
  static async of(path: string, root: string | null = cacheDir()): Promise<FileDigests> {
    const identity = await fileIdentity(path);
    if (root === null) return new FileDigests(undefined, identity, {});
    const file = join(root, 'file-digests', createHash('sha256').update(identity).digest('hex').slice(0, 32) + '.json');
    let known: Record<string, string> = {};
    try {
      const v = JSON.parse(await readFile(file, 'utf8')) as { identity?: unknown; digests?: unknown };
      // Another file's entry under the same name (a hash prefix collision, corruption) is ignored.
      if (v.identity === identity && v.digests && typeof v.digests === 'object') known = v.digests as Record<string, string>;
    } catch {
      // Never seen, or unreadable: worked out again.
    }
    return new FileDigests(file, identity, known);
  }

  /** The digest remembered for `part` (a member of the archive), else `work` it out and note it. */
  async get(part: string, work: () => Promise<string>): Promise<string> {
    const known = this.known[part];
    if (typeof known === 'string' && /^sha256:[a-f0-9]{64}$/.test(known)) return known;
    const d = await work();
    this.added[part] = d;
    return d;
  }

  /** Write what was worked out. A cache that cannot be written only costs the next run a re-hash. */
  save(): void {
    if (!this.file || Object.keys(this.added).length === 0) return;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ identity: this.identity, digests: { ...this.known, ...this.added } }));
      renameSync(tmp, this.file);
    } catch {
      // Read-only or full cache: nothing remembered.
    }
  }
}
