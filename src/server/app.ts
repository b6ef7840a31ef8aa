/**
 * buildApp(deps): the whole HTTP API as one Fastify instance, not yet listening. `scout server`
 * (main.ts) listens with it; tests call `inject` on it. Order matters: swagger first (routes
 * registered before it are missing from the document), then errors and auth, then schemas and
 * routes.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { PlatformStore } from '../store/platform-store.js';
import type { PlatformJobs } from '../jobs/platform-jobs.js';
import type { PlatformMetrics } from './metrics.js';
import { AJV_CUSTOM_OPTIONS } from './ajv-options.js';
import authPlugin from './plugins/auth.js';
import errorsPlugin from './plugins/errors.js';
import swaggerPlugin from './plugins/swagger.js';
import { addSchemas } from './schemas/index.js';
import { Sessions } from './session.js';
import { PurlAnswers } from './purl-answers.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface AppDeps {
  platform: PlatformStore;
  /** The server's advisory database (same database as the platform tables). */
  advisories: AdvisoryStore;
  /** Fastify's logger option (false: no log). Request bodies are never logged. */
  logger?: FastifyServerOptions['logger'];
  /** Largest request body after decompression, in bytes (default 1 MiB; pushes: `pushBodyLimit`). */
  bodyLimit?: number;
  /** Largest SBOM push after decompression (default 256 MiB). */
  pushBodyLimit?: number;
  /** The built dashboard served at / (default: dist/web of this package). */
  webRoot?: string;
  /** Signs dashboard session cookies (default: SCOUT_SESSION_SECRET, else random per process). */
  sessionSecret?: string;
  /** The job queue (re-match, webhook deliveries); without it POST /v1/advisories answers 503. */
  jobs?: PlatformJobs;
  /**
   * The sources POST /v1/advisories/sync updates: `scout server` gives those of `scout db update`
   * with its --advisory-mirror (the scheduled sync's). Default: this process's, resolved per request.
   */
  advisorySources?: () => Promise<import('../advisories/update/sources.js').SourceSpec[]>;
  /** Registries POST /v1/images/analyze may name (default: none; see analyze-registries.ts). */
  analyzeRegistries?: import('./analyze-registries.js').AnalyzeRegistries;
  /** Records request durations (scout_http_request_duration_seconds). */
  metrics?: PlatformMetrics;
  /** /readyz: resolves when this process can serve (database reachable, jobs running). */
  ready?: () => Promise<void>;
  /** The per-purl match answers, when this process's jobs share them (main.ts: analyze-image jobs); default a new memory. */
  purlAnswers?: PurlAnswers;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    /** Every route's schema by "METHOD /url", for tests that validate replies. */
    routeSchemas: Map<string, Record<string, unknown>>;
    /** Match answers per purl, shared by local analysis (POST /v1/match), pushes (POST /v1/images) and this process's analyze-image jobs: purl-answers.ts. */
    purlAnswers: PurlAnswers;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { ...AJV_CUSTOM_OPTIONS } },
    // Repository names and digests in paths are longer than the default 100.
    routerOptions: { maxParamLength: 500 },
  });
  app.decorate('deps', deps);
  app.decorate('routeSchemas', new Map<string, Record<string, unknown>>());
  app.decorate('purlAnswers', deps.purlAnswers ?? new PurlAnswers(deps.advisories));
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (route.schema) app.routeSchemas.set(`${m} ${route.url}`, route.schema as Record<string, unknown>);
  });
  await app.register(swaggerPlugin, { version: pkg.version });
  await app.register(errorsPlugin);
  const sessions = new Sessions(deps.sessionSecret);
  await app.register(authPlugin, { platform: deps.platform, sessions });
  addSchemas(app);

  // Liveness and readiness for orchestrators, on the API port (no token; they say nothing of any org).
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' } }, async (_req, reply) => {
    try {
      await deps.ready?.();
      return { status: 'ready' };
    } catch (err) {
      return reply.status(503).send({ code: 'not-ready', message: (err as Error).message });
    }
  });
  if (deps.metrics) {
    const histogram = deps.metrics.httpDuration;
    // The route pattern, never the URL: digests and ids in paths would make a series each.
    app.addHook('onResponse', async (req, reply) => {
      histogram.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }
  await app.register(
    async (v1) => {
      v1.get('/openapi.json', { config: { scope: 'public' } }, async () => app.swagger());
      await v1.register((await import('./routes/v1/org.js')).default);
      await v1.register((await import('./routes/v1/tokens.js')).default);
      await v1.register((await import('./routes/v1/images.js')).default);
      await v1.register((await import('./routes/v1/analyze-jobs.js')).default);
      await v1.register((await import('./routes/v1/jobs.js')).default);
      await v1.register((await import('./routes/v1/compare.js')).default);
      await v1.register((await import('./routes/v1/repositories.js')).default);
      await v1.register((await import('./routes/v1/vulnerabilities.js')).default);
      await v1.register((await import('./routes/v1/packages.js')).default);
      await v1.register((await import('./routes/v1/match.js')).default);
      await v1.register((await import('./routes/v1/recommendations.js')).default);
      await v1.register((await import('./routes/v1/session.js')).default, { sessions });
      await v1.register((await import('./routes/v1/overview.js')).default);
      await v1.register((await import('./routes/v1/vulnerability-list.js')).default);
      await v1.register((await import('./routes/v1/package-names.js')).default);
      await v1.register((await import('./routes/v1/base-images.js')).default);
      await v1.register((await import('./routes/v1/advisories.js')).default);
      await v1.register((await import('./routes/v1/advisory-changes.js')).default);
      await v1.register((await import('./routes/v1/events.js')).default);
      await v1.register((await import('./routes/v1/webhooks.js')).default);
      await v1.register((await import('./routes/v1/environments.js')).default);
      await v1.register((await import('./routes/v1/policies.js')).default);
      await v1.register((await import('./routes/v1/vex.js')).default);
    },
    { prefix: '/v1' },
  );
  const { dashboardPlugin } = await import('./plugins/static.js');
  await app.register(dashboardPlugin, deps.webRoot ? { root: deps.webRoot } : {});
  return app;
}
