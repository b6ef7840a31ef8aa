/**
 * From posting one advisory to every event stored and delivered to a local webhook receiver,
 * with SCOUT_BENCH_REMATCH_IMAGES (default 100,000) stored images: on SQLite with the server's
 * in-process queue, and on PostgreSQL with 1 and with 2 `scout worker` processes. Target ≤ 2 s.
 *
 * Seeded by bulk inserts straight into the platform tables: 200 repositories, each image with
 * 30 npm packages drawn from a shared pool of 3,000 (so images overlap as in real
 * organisations), and 1 image in 100 also holding the package the advisory names, at the
 * affected version. Every image has the metadata a push stores (config, layers, history) and its
 * packages their licences, so the re-match's policy step judges the affected images as it
 * would real ones. The advisory goes through `ingestAdvisories` (what POST /v1/advisories
 * does); the clock stops when the receiver holds one delivery per affected image.
 *
 * Seeding 100,000 images takes minutes on a loaded machine: SCOUT_BENCH_REMATCH_KEEP=DIR keeps
 * the seeded database (DIR/scout_bench_rematch_N.db on SQLite, schema scout_bench_rematch_N on
 * PostgreSQL, N the image count) and a later run with the same N reuses it, first deleting what
 * earlier runs added (findings, events, deliveries, jobs, policy results, webhooks), so each run
 * starts from the seeded state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql, type Insertable } from 'kysely';
import type { PlatformDatabase } from '../src/store/kysely/schema.js';
import type { ImageMetadata } from '../src/image/metadata.js';
import { chainIds } from '../src/image/chain-id.js';
import type { DatabaseLocation } from '../src/store/kysely/open.js';
import { eachBackend, loadNote } from './lib/platform-bench.js';
import { createInterface } from 'node:readline';
import { phaseReport, ranJobOfLogLine, type RanJob } from './lib/job-phases.js';
import { BackendCpu, processCpuMs, urlWithAppName } from './lib/pg-backend-cpu.js';
import { testAdvisory } from '../test/helpers/osv-record.js';
import { tempDir } from '../test/helpers/tmp.js';

const IMAGES = Number(process.env.SCOUT_BENCH_REMATCH_IMAGES ?? 100_000);
const KEEP = process.env.SCOUT_BENCH_REMATCH_KEEP;
const POOL = 3000;
const PER_IMAGE = 30;
const AFFECTED_EVERY = 100;
const TARGET = 'pkg:npm/scout-test-pkg@1.0.0';
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');
type Rows = { [T in keyof PlatformDatabase]: Insertable<PlatformDatabase[T]>[] };

/**
 * What a push stores of image `i` (a Node.js service on Debian 12): two base layers all images
 * share, a runtime layer per team, the service's own layer; a third of them run as root.
 */
function metadataOf(i: number, repository: string, digest: string, configDigest: string, created: string): ImageMetadata {
  const diffIds = [sha('layer debian-12 rootfs'), sha('layer debian-12 ca-certificates'), sha(`layer node-20 ${repository.split('/')[0]}`), sha(`layer app ${i}`)];
  const steps = ['ADD rootfs.tar.xz / # buildkit', 'RUN apt-get update && apt-get install -y ca-certificates # buildkit', 'COPY /usr/local/bin/node /usr/local/bin/ # buildkit', 'COPY . /app # buildkit'];
  return {
    reference: `registry.example.com/${repository}:1.${i % 50}`,
    source: 'registry',
    created,
    digest,
    configDigest,
    platform: { os: 'linux', architecture: 'amd64' },
    os: { type: 'linux', name: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    exposedPorts: ['8080/tcp'],
    env: [
      { name: 'PATH', value: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      { name: 'NODE_VERSION', value: '20.18.1' },
      { name: 'NODE_ENV', value: 'production' },
    ],
    labels: { 'org.opencontainers.image.source': `https://git.example.com/${repository}`, 'org.opencontainers.image.revision': sha(`rev ${i}`).slice(7, 47) },
    ...(i % 3 === 0 ? {} : { user: 'node' }),
    workingDir: '/app',
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['node', 'server.js'],
    layers: diffIds.map((diffId, n) => ({ index: n, digest: sha(`blob ${diffId}`), diffId, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: [29_000_000, 4_000_000, 40_000_000, 2_000_000 + (i % 1000)][n], createdBy: steps[n] })),
    history: diffIds.map((_, n) => ({ created, createdBy: steps[n], emptyLayer: false, layerIndex: n })),
    registry: { host: 'registry.example.com', url: 'https://registry.example.com', type: 'other', repository, tag: `1.${i % 50}` },
    size: { compressed: 75_000_000, uncompressed: 210_000_000 },
  };
}

export async function seed(db: import('kysely').Kysely<PlatformDatabase>, orgId: string): Promise<number> {
  const at = new Date('2026-11-01T00:00:00Z').toISOString();
  const rows: Pick<Rows, 'repositories' | 'images' | 'image_metadata' | 'packages' | 'image_packages' | 'package_images'> = { repositories: [], images: [], image_metadata: [], packages: [], image_packages: [], package_images: [] };
  const purls: string[] = [];
  for (let p = 0; p < POOL; p++) purls.push(`pkg:npm/bench-lib-${p}@1.${p % 7}.0`);
  // What a push stores of each package beside its purl: its licences as the policies read them
  // (mostly MIT, some Apache-2.0, one copyleft library a few images carry).
  const details = new Map([...purls, TARGET].map((purl, p) => [purl, JSON.stringify({ foundBy: 'bench', locations: [], licenses: [{ spdx: p === 7 ? 'GPL-3.0-only' : p % 50 === 0 ? 'Apache-2.0' : 'MIT' }] })]));
  for (const purl of [...purls, TARGET]) {
    const name = /pkg:npm\/([^@]+)@/.exec(purl)![1];
    rows.packages.push({ purl, type: 'npm', namespace: null, name, version: purl.split('@')[1], ecosystem: 'npm', match_name: name });
  }
  const repos: { id: string; name: string }[] = [];
  for (let r = 0; r < 200; r++) {
    const id = randomUUID();
    repos.push({ id, name: `team-${r % 20}/service-${r}` });
    rows.repositories.push({ id, org_id: orgId, name: `team-${r % 20}/service-${r}`, created_at: at, last_pushed_at: at });
  }
  let affected = 0;
  for (let i = 0; i < IMAGES; i++) {
    const id = randomUUID();
    const repo = repos[i % 200];
    // Built over the year before the push.
    const created = new Date(Date.parse(at) - (i % 365) * 86_400_000).toISOString();
    const metadata = metadataOf(i, repo.name, sha(`manifest ${i}`), sha(`config ${i}`), created);
    rows.image_metadata.push({ image_id: id, org_id: orgId, metadata: JSON.stringify(metadata) });
    rows.images.push({
      id, org_id: orgId, repository_id: repo.id, digest: sha(`manifest ${i}`), index_digest: null, config_digest: sha(`config ${i}`), created, pushed_at: at, last_seen_at: at,
      os: 'linux', architecture: 'amd64', variant: null, os_name: 'debian', os_version: '12', registry_host: 'registry.example.com', registry_url: 'https://registry.example.com', registry_type: 'other',
      size_compressed: metadata.size.compressed, size_uncompressed: metadata.size.uncompressed!, layer_count: metadata.layers.length, package_count: PER_IMAGE, top_chain_id: chainIds(metadata.layers.map((l) => l.diffId)).at(-1)!, distro: null,
    });
    const mine = new Set<string>();
    for (let k = 0; mine.size < PER_IMAGE; k++) mine.add(purls[(i * 31 + k * 97) % POOL]);
    if (i % AFFECTED_EVERY === 0) {
      mine.add(TARGET);
      affected++;
    }
    let ordinal = 0;
    for (const purl of mine) {
      // Indexed as a settled push's packages are (package-index.ts).
      rows.package_images.push({ purl, org_id: orgId, batch: 0, image_id: id, ordinal });
      rows.image_packages.push({ image_id: id, ordinal: ordinal++, org_id: orgId, purl, layer_diff_id: null, relationship: 'direct', detail: details.get(purl)! });
    }
  }
  const { chunks, rowsPerInsert } = await import('../src/store/kysely/dialect.js');
  // One transaction: a kept database holds all of the seed or none of it.
  await db.transaction().execute(async (trx) => {
    for (const table of ['repositories', 'images', 'image_metadata', 'packages', 'image_packages', 'package_images'] as const) {
      const list = rows[table] as unknown as Record<string, unknown>[];
      const per = Math.min(500, rowsPerInsert(Object.keys(list[0]!).length));
      for (const c of chunks(list, per)) await trx.insertInto(table).values(c as never).execute();
    }
  });
  return affected;
}

/**
 * A kept database back to its seeded state: what earlier runs' re-matches, deliveries and
 * webhooks added is deleted and the images' counts zeroed. Returns the affected images.
 */
async function resetKept(db: import('kysely').Kysely<PlatformDatabase>): Promise<number> {
  await db.transaction().execute(async (trx) => {
    for (const table of ['webhook_deliveries', 'events', 'webhooks', 'finding_vex', 'findings', 'vulnerability_aliases', 'policy_history', 'policy_results'] as const) await trx.deleteFrom(table).execute();
    // Only the images a run gave findings (rewriting 100,000 rows took a minute).
    await trx
      .updateTable('images')
      .set({ open_critical: 0, open_high: 0, open_medium: 0, open_low: 0, open_negligible: 0, open_unknown: 0, fixable_critical: 0, fixable_high: 0 })
      .where((eb) => eb.or(['open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown', 'fixable_critical', 'fixable_high'].map((c) => eb(eb.ref(c as 'open_critical'), '<>', 0))))
      .execute();
  });
  // The jobs table exists once a run opened the queue.
  await sql`DELETE FROM jobs`.execute(db).catch(() => undefined);
  const r = await db.selectFrom('package_images').select((eb) => eb.fn.countAll<number>().as('n')).where('purl', '=', TARGET).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A webhook receiver that resolves once it holds `n` deliveries. */
export async function receiver(): Promise<{ url: string; until(n: number): Promise<void>; count(): number; close(): Promise<void> }> {
  let got = 0;
  let waiter: { n: number; resolve: () => void } | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got++;
      res.writeHead(200).end('ok');
      if (waiter && got >= waiter.n) waiter.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    until: (n) => (got >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))),
    count: () => got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The workers' application_name: their PostgreSQL backends' CPU is counted by it. */
const WORKER_APP = `scout-bench-rematch-${process.pid}`;

/** `n` scout worker processes; every job they log goes to `ran`. */
export function startWorkers(location: DatabaseLocation, n: number, ran: RanJob[]): Promise<ChildProcess[]> {
  if (location.kind !== 'postgres') throw new Error('workers need PostgreSQL');
  const url = urlWithAppName(`${location.url}${location.url.includes('?') ? '&' : '?'}schema=${location.schema ?? ''}`, WORKER_APP);
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--database', url], { env: { ...process.env, SCOUT_CACHE_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const job = ranJobOfLogLine(line);
        if (job) ran.push(job);
      });
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          if (/running jobs/.test(d.toString())) resolve();
        });
        child.on('exit', (code) => reject(new Error(`scout worker exited (${code}) before running jobs`)));
      });
      return child;
    }),
  );
}

export async function run(): Promise<void> {
  const { openServerStores } = await import('../src/server/main.js');
  const { openPlatformJobs } = await import('../src/jobs/platform-jobs.js');
  const { OrgActivity } = await import('../src/store/kysely/activity-store.js');
  await eachBackend(async (bench) => {
    const { platform, advisories } = await openServerStores({ dataDir: tempDir(), database: bench.location });
    const rx = await receiver();
    try {
      const org = await platform.ensureOrg('bench');
      const t = performance.now();
      const stored = Number((await platform.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      if (stored !== 0 && stored !== IMAGES) throw new Error(`the kept database holds ${stored} images, not ${IMAGES}`);
      const affected = stored ? await resetKept(platform.db) : await seed(platform.db, org.id);
      console.log(`  ${stored ? 'reused' : 'seeded'} ${IMAGES.toLocaleString('en')} images (${(IMAGES * PER_IMAGE).toLocaleString('en')} image packages, ${affected} hold the affected package) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      if (platform.dialect === 'postgres') await sql`ANALYZE`.execute(platform.db);
      await new OrgActivity(platform.db, org).addWebhook({ url: rx.url, format: 'json' });
      // The server's queue: on SQLite it runs the jobs; on PostgreSQL workers do, it only sends.
      const jobs = await openPlatformJobs({ db: platform.db, location: bench.location, advisories });
      // Every job attempt of this run, from this process's queue (SQLite) or the workers' logs.
      const ran: RanJob[] = [];
      jobs.queue.onOutcome((o) => ran.push({ name: o.name, endedAt: o.startedAt + o.durationMs, durationMs: o.durationMs, phases: { ...o.phases } }));
      const setups = bench.label === 'SQLite' ? [0] : [1, 2];
      // Advisory ids of this run: a kept database's advisory store still holds earlier runs'.
      const stamp = String(Date.now() % 1_000_000).padStart(6, '0');
      for (const [round, workers] of setups.entries()) {
        const children = workers ? await startWorkers(bench.location, workers, ran) : [];
        if (!workers) await jobs.start();
        try {
          // Warm-up: an advisory naming no stored package loads the matcher in every process.
          await jobs.ingestAdvisories([await testAdvisory(`SCOUT-WARMUP-${stamp}-${round}`, `CVE-2099-1${stamp}${round}`, '1.5.0', { affected: [{ package: { ecosystem: 'npm', name: 'scout-warmup-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.5.0' }] }] }] })], 'bench');
          await jobs.queue.idle(['rematch'], 120_000);
          const before = rx.count();
          const cve = `CVE-2099-2${stamp}${round}`;
          const advisory = await testAdvisory(`SCOUT-BENCH-${stamp}-${round}`, cve, '1.5.0');
          const cpu0 = process.cpuUsage();
          const backendCpu = bench.location.kind === 'postgres' ? new BackendCpu(bench.location.url, WORKER_APP) : undefined;
          await backendCpu?.sample();
          const workerCpu0 = children.map((c) => processCpuMs(c.pid!) ?? 0);
          const s = performance.now();
          const postedAt = Date.now();
          const r = await jobs.ingestAdvisories([advisory], 'bench');
          const importedAt = Date.now();
          if (!r.rematchJob) throw new Error('the advisory changed nothing');
          await rx.until(before + affected);
          const ms = performance.now() - s;
          const cpu = process.cpuUsage(cpu0);
          const workerCpu = children.reduce((sum, c, i) => sum + (processCpuMs(c.pid!) ?? 0) - workerCpu0[i], 0);
          const pgCpu = await backendCpu?.sample();
          const events = await platform.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('vulnerability_id', '=', cve).executeTakeFirstOrThrow();
          if (Number(events.n) !== affected) throw new Error(`${Number(events.n)} events, expected ${affected}`);
          const where = workers ? `${workers} worker${workers > 1 ? 's' : ''}` : 'in-process';
          console.log(`  ${where}: advisory posted → ${affected} events stored and delivered in ${(ms / 1000).toFixed(2)} s ${ms <= 2000 ? '✓' : '✗ (target ≤ 2 s)'} (CPU: this process ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms${workers ? `, the workers ${workerCpu.toFixed(0)} ms, their PostgreSQL backends ${(pgCpu ?? 0).toFixed(0)} ms` : ''}); ${loadNote()}`);
          // The last deliveries' commits (and their log lines) may still be on their way.
          await jobs.queue.idle(['deliver-webhook'], 60_000);
          await new Promise((res) => setTimeout(res, 200));
          for (const line of phaseReport(postedAt, importedAt, ran.filter((j) => j.endedAt >= postedAt))) console.log(`    ${line}`);
        } finally {
          for (const c of children) {
            c.kill('SIGTERM');
            if (c.exitCode === null) await once(c, 'exit');
          }
          await jobs.stop();
        }
      }
    } finally {
      await rx.close();
      await platform.close();
      await advisories.close();
    }
  }, KEEP ? { dir: KEEP, name: `scout_bench_rematch_${IMAGES}` } : undefined);
}
