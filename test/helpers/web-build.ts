/**
 * The end-to-end tests load the real dashboard build (dist/web). This builds it when it is
 * missing or older than any file of src/web, once per machine at a time (a lock folder), so
 * `node scripts/run-tests.mjs test/web` works on a fresh clone and after editing a page.
 */
import { mkdirSync, rmSync, statSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module script without type declarations
import { buildWeb, WEB_OUT, WEB_SRC } from '../../scripts/build-web.mjs';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function fresh(): boolean {
  const index = join(WEB_OUT as string, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newest(WEB_SRC as string);
}

export async function ensureWebBuild(): Promise<string> {
  if (fresh()) return WEB_OUT as string;
  const lock = join(WEB_OUT as string, '..', '.web-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process builds it: wait, then use its build (a stale lock goes after 3 min).
      if (i > 1800) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 100));
      if (fresh()) return WEB_OUT as string;
    }
  }
  try {
    if (!fresh()) await (buildWeb as () => Promise<void>)();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return WEB_OUT as string;
}
