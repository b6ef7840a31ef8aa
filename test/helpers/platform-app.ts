/**
 * The platform API for tests: buildApp on a fresh platform store (SQLite or PostgreSQL) and the
 * advisory store of that same database (SQLite's or PostgreSQL's own, as the server runs) filled
 * with the advisory bundle shipped in examples/, with an admin token of
 * an organisation `acme`. `call` injects a request and validates the reply against the route's
 * own response schema with Ajv (a field the schema lacks would be dropped silently otherwise).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { detectAndImport } from '../../src/advisories/import/detect.js';
import { openServerAdvisories } from '../../src/server/advisories.js';
import { buildApp } from '../../src/server/app.js';
import { openServerStores } from '../../src/server/main.js';
import type { AnalyzeRegistries } from '../../src/server/analyze-registries.js';
import { PurlAnswers } from '../../src/server/purl-answers.js';
import type { AdvisoryStore } from '../../src/store/advisory-store.js';
import type { StoredFinding } from '../../src/store/platform-store.js';
import type { DatabaseLocation } from '../../src/store/kysely/open.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { openPlatformJobs, type PlatformJobs } from '../../src/jobs/platform-jobs.js';
import { freshLocation, newLocation, type Backend } from './platform-db.js';
import { tempDir } from './tmp.js';

export const EXAMPLE_ADVISORIES = new URL('../../examples/advisories', import.meta.url).pathname;

interface After {
  after: (fn: () => Promise<void> | void) => void;
}

/** Imports the examples/ advisory bundle into a store. */
export async function importExampleAdvisories(store: AdvisoryStore): Promise<void> {
  for (const f of readdirSync(EXAMPLE_ADVISORIES).filter((n) => n.endsWith('.gz')).sort()) {
    const out = await detectAndImport(store, join(EXAMPLE_ADVISORIES, f));
    if (!out.ok) throw new Error(`${f} did not import: ${out.error?.message}`);
  }
}

/**
 * An advisory store with the examples/ bundle imported, closed when `t` ends: in the platform
 * database at `location` as the server keeps it (SQLite file or PostgreSQL schema), or in memory.
 */
export async function exampleAdvisories(t: After, location?: DatabaseLocation): Promise<AdvisoryStore> {
  const store = location ? await openServerAdvisories(location) : new SqliteAdvisoryStore(':memory:');
  t.after(() => store.close());
  await importExampleAdvisories(store);
  return store;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface TestApi {
  app: FastifyInstance;
  platform: KyselyPlatformStore;
  /** In the platform's own database, as the server keeps it: the SQLite file, or the PostgreSQL schema. */
  advisories: AdvisoryStore;
  location: DatabaseLocation;
  /** Admin token of org `acme`. */
  admin: string;
  call<T = unknown>(opts: InjectOptions & { token?: string; route: string }): Promise<Reply<T>>;
  /** The job queue and handlers, running in this process (with `opts.jobs`). */
  jobs?: PlatformJobs;
  /** A token of a new organisation. */
  tokenFor(org: string, scope?: 'read' | 'write' | 'admin'): Promise<string>;
}

export async function testApi(backend: Backend, t: After, opts: { logger?: unknown; jobs?: { webhookBackoffMs?: number; webhookMaxAttempts?: number; reevaluateBatch?: number; analyzeRegistries?: AnalyzeRegistries } } = {}): Promise<TestApi> {
  const { location, drop } = await newLocation(backend);
  // As the server opens them (openServerStores): the advisory store first, in the same database.
  const advisories = await openServerAdvisories(location);
  const platform = await KyselyPlatformStore.open(location);
  await importExampleAdvisories(advisories);
  // As main.ts: the jobs and the app share one per-purl match memory.
  const purlAnswers = new PurlAnswers(advisories);
  const jobs = opts.jobs ? await openPlatformJobs({ db: platform.db, location, advisories, queue: { pollMs: 50 }, purlAnswers, ...opts.jobs }) : undefined;
  const app = await buildApp({ platform, advisories, purlAnswers, ...(jobs ? { jobs, ...(opts.jobs?.analyzeRegistries ? { analyzeRegistries: opts.jobs.analyzeRegistries } : {}) } : {}), ...(opts.logger ? { logger: opts.logger as never } : {}) });
  await app.ready();
  // One cleanup, in order: the jobs stop before the database they use closes and is dropped.
  t.after(async () => {
    await jobs?.stop();
    await app.close();
    await platform.close().catch(() => {});
    await advisories.close().catch(() => {});
    await drop();
  });
  if (jobs) await jobs.start();
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const s of Object.values(app.getSchemas())) ajv.addSchema(s as object);
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (route: string, status: number): ValidateFunction => {
    const key = `${route} ${status}`;
    let v = validators.get(key);
    if (!v) {
      const schema = app.routeSchemas.get(route);
      assert.ok(schema, `no route ${route}`);
      const reply = (schema.response as Record<string, object> | undefined)?.[status];
      assert.ok(reply, `${route} has no response schema for ${status}`);
      v = ajv.compile(reply);
      validators.set(key, v);
    }
    return v;
  };
  const tokenFor = async (org: string, scope: 'read' | 'write' | 'admin' = 'admin') => (await platform.forOrg(await platform.ensureOrg(org)).createToken('test', scope)).token;
  const admin = await tokenFor('acme');
  const call = async <T>(o: InjectOptions & { token?: string; route: string }): Promise<Reply<T>> => {
    const { token, route, ...inject } = o;
    const r = await app.inject({ ...inject, headers: { ...(inject.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const body = r.body === '' ? undefined : (JSON.parse(r.body) as T);
    if (r.statusCode !== 401 && r.statusCode !== 403 && r.statusCode !== 413 && r.statusCode !== 415) {
      const v = validatorFor(route, r.statusCode);
      assert.ok(v(r.statusCode === 204 ? null : body), `${route} ${r.statusCode} reply does not match its schema: ${JSON.stringify(v.errors)}`);
    } else {
      assert.deepEqual(Object.keys(body as object).sort(), ['code', 'message']);
    }
    return { status: r.statusCode, body: body as T, headers: r.headers };
  };
  return { app, platform, advisories, location, admin, call, tokenFor, ...(jobs ? { jobs } : {}) };
}

export function gzipJson(v: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(v)));
}

/**
 * An image's stored findings in `org`, every page, without when each was seen (each push's or
 * analysis's own time): what two ways of storing the same image must agree on.
 */
export async function storedFindings(api: TestApi, org: string, digest: string): Promise<Omit<StoredFinding, 'firstSeenAt' | 'lastSeenAt'>[]> {
  const store = api.platform.forOrg(await api.platform.ensureOrg(org));
  const out: Omit<StoredFinding, 'firstSeenAt' | 'lastSeenAt'>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.imageFindings(digest, { limit: 500, ...(cursor ? { cursor } : {}) });
    assert.ok(page, `image ${digest} of ${org} stored`);
    for (const { firstSeenAt: _f, lastSeenAt: _l, ...rest } of page.items) out.push(rest);
    cursor = page.next;
  } while (cursor);
  return out;
}

/**
 * The server's own stores (platform database and its advisory store, as `scout server` opens
 * them) on a fresh database of this backend and a new data directory, closed when `t` ends.
 */
export async function testServerStores(backend: Backend, t: After) {
  const location = await freshLocation(backend, t);
  const dataDir = tempDir();
  const { platform, advisories } = await openServerStores({ dataDir, database: location });
  t.after(async () => {
    await platform.close();
    await advisories.close();
  });
  return { location, dataDir, platform, advisories };
}
