// Builds the dashboard (src/web, React) into dist/web with Vite. `npm run build` runs it after
// tsc; the end-to-end tests call it when dist/web is missing or older than src/web.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

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
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
