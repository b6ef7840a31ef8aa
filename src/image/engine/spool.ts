/**
 * An engine's export stream written to a file inside the cache, so the archive readers can
 * seek in it (a `docker save` tar names its layers only in manifest.json, at its end). The
 * file lives as long as this process: removed at exit, and a dead process's leftovers are
 * removed by the next one.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ScoutError } from '../../util/errors.js';
import { cacheDir } from '../cache.js';

const spools = new Set<string>();
let hooked = false;

function removeAtExit(path: string): void {
  spools.add(path);
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const p of spools) rmSync(p, { force: true });
  });
}

/** Spools of processes that are gone (killed before their exit hook ran). */
function sweepDead(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-/.exec(n)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, n), { force: true });
    }
  }
}

/** Write `stream` to a new file under the cache's archives/engine folder; its path. */
export async function spoolExport(stream: Readable, describe: string): Promise<string> {
  const dir = join(cacheDir(), 'archives', 'engine');
  await mkdir(dir, { recursive: true });
  sweepDead(dir);
  const path = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.tar`);
  removeAtExit(path);
  try {
    await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof ScoutError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ScoutError('engine-export-failed', `${describe}: the export stream failed (${e.code === 'ENOSPC' ? `no space left in ${dir}` : e.code ?? e.message})`);
  }
  return path;
}
