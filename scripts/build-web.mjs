// Builds the dashboard (src/web, React) into dist/web with Vite. `npm run build` runs it after
// tsc; the end-to-end tests call it when dist/web is missing or older than src/web.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_SRC = join(here, '..', 'src', 'web');
export const WEB_OUT = join(here, '..', 'dist', 'web');

export async function buildWeb(outDir = WEB_OUT) {
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({
    configFile: false,
    root: WEB_SRC,
    base: '/',
    logLevel: 'warn',
    plugins: [react()],
    // Everything the page needs is in the bundle: no CDN, no web fonts, nothing fetched elsewhere.
    build: { outDir, emptyOutDir: true, assetsInlineLimit: 0, sourcemap: false, target: 'es2022' },
  });
  compressAssets(join(outDir, 'assets'));
}

/**
 * Brotli and gzip copies beside each script and stylesheet, which the server sends to browsers
 * that accept them (@fastify/static preCompressed): the 281 KB script is about 80 KB on the wire.
 * Made once here at the highest levels, not per response.
 */
export function compressAssets(dir) {
  for (const f of readdirSync(dir)) {
    if (!/\.(js|css)$/.test(f)) continue;
    const body = readFileSync(join(dir, f));
    writeFileSync(join(dir, `${f}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(join(dir, `${f}.gz`), gzipSync(body, { level: 9 }));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
