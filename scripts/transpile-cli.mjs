// The sources as JavaScript, for the tests that start `scout` in a child process. Under tsx
// every child loads a TypeScript loader and compiles each module it imports on the fly: about
// three times the CPU of starting on plain JavaScript. So the test runner transpiles src/
// once, with esbuild (the same transform tsx applies; no type check, `npm run typecheck` does
// that), into .test-build/, and again only when a source file changed, was added or removed.
// .test-build/ sits beside src/ at the same depth, so the paths the code finds relative to
// itself (../../package.json, ../../schemas, the worker modules beside it) resolve as from src/.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OUT_DIR = '.test-build';

function sources(root, dir, out) {
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    // The dashboard is built by Vite (scripts/build-web.mjs); the CLI never imports it.
    if (p === join('src', 'web')) continue;
    const st = statSync(join(root, p));
    if (st.isDirectory()) sources(root, p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push([p, st.mtimeMs]);
  }
  return out;
}

/**
 * Brings .test-build/ up to date with src/; returns the CLI's entry point in JavaScript and
 * whether anything had to be built.
 */
export async function transpileCli(root = process.cwd()) {
  const files = sources(root, 'src', []).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // The stamp is every source's name and time: any edit, addition or removal changes it.
  const stamp = JSON.stringify(files);
  const stampFile = join(root, OUT_DIR, '.sources.json');
  const main = join(root, OUT_DIR, 'cli', 'main.js');
  let previous;
  try {
    previous = readFileSync(stampFile, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous === stamp) return { main, built: false };
  // From scratch: a removed source must not live on as stale JavaScript.
  rmSync(join(root, OUT_DIR), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: files.map(([p]) => p),
    outdir: OUT_DIR,
    outbase: 'src',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  writeFileSync(stampFile, stamp);
  return { main, built: true };
}
