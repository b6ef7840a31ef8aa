/**
 * Serves the dashboard (the Vite build in dist/web) at `/`: hashed files under /assets/ with a
 * year of caching (brotli or gzip when the browser accepts it, from the build's own copies), and index.html for every other page path so client-side routes survive a
 * reload or a shared link. `/v1/...` paths are never answered with the page: an unknown API
 * path stays a JSON 404. The Content-Security-Policy lets the page talk to this server only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface DashboardOptions {
  /** The built dashboard (index.html + assets/); default: dist/web of this package. */
  root?: string;
}

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes from script (CSSOM), which CSP allows; no inline <style> is used.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/web beside this package's package.json (from src/ under tsx or dist/ when built). */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export async function dashboardPlugin(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const root = opts.root ?? defaultWebRoot();
  // The page and its assets are public (the sign-in form is on it); the data comes from /v1,
  // which the auth plugin guards.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), scope: 'public' };
  });
  const indexFile = join(root, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    if (path === '/v1' || path.startsWith('/v1/') || path.startsWith('/assets/')) return reply.callNotFound();
    securityHeaders(reply).header('cache-control', 'no-cache');
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The dashboard is not built (no ${indexFile}): run npm run build.\n`);
    }
    return reply.type('text/html; charset=utf-8').send(index);
  };
  app.get('/', page);
  app.get('/*', page);

  if (existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      dotfiles: 'deny',
      // File names carry their content hash: a changed file is a new name.
      immutable: true,
      // The build's .br and .gz copies (scripts/build-web.mjs), to browsers that accept them.
      preCompressed: true,
      maxAge: '365d',
      setHeaders: (res) => {
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
}
