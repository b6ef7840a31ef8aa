/**
 * Base-image lookup among 100,000 stored images, on SQLite and on PostgreSQL: the question
 * `scout push`, `image get` and local analysis ask (OrgStore.findBaseImage with the image's chain
 * IDs). Seeded by bulk inserts (multi-row, one transaction per table chunk) straight into the
 * platform tables, shaped as pushes store them: a public catalogue of 20 distributions with 5
 * tags each, then in organisation `bench` 1,000 runtime images (one per repository, on a
 * distribution) and 98,980 application images on them (one or two layers of their own). Each
 * lookup names a random application image and must find its runtime image; some ask for an
 * image whose base is unknown. Target: ≤ 5 ms.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { KyselyPlatformStore } from '../src/store/kysely/platform-store.js';
import type { PlatformDatabase } from '../src/store/kysely/schema.js';
import { pct } from './lib/measure.js';
import { eachBackend, loadNote } from './lib/platform-bench.js';

const IMAGES = Number(process.env.SCOUT_BENCH_BASE_IMAGES ?? 100_000);
const DISTROS = 20;
const RUNTIMES = 1000;
const LOOKUPS = 2000;

type PlatformModule = typeof import('../src/store/kysely/platform-store.js');
type ChainModule = typeof import('../src/image/chain-id.js');
const built = async <T>(path: string): Promise<T> => (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

/** Layer diff_ids of each kind of image: a distribution has 2, a runtime 1 more, an application 1 or 2 more. */
const distroLayers = (d: number) => [sha(`distro ${d} a`), sha(`distro ${d} b`)];
const runtimeLayers = (r: number) => [...distroLayers(r % DISTROS), sha(`runtime ${r}`)];
const appLayers = (a: number) => [...runtimeLayers(a % RUNTIMES), sha(`app ${a}`), ...(a % 3 === 0 ? [sha(`app ${a} assets`)] : [])];

type Rows = { [T in keyof PlatformDatabase]: Insertable<PlatformDatabase[T]>[] };

async function seed(platform: KyselyPlatformStore, chainIds: ChainModule['chainIds']): Promise<{ orgId: string }> {
  const catalog = await platform.ensureOrg('public-catalog', { catalog: true });
  const org = await platform.ensureOrg('bench');
  const at = new Date('2026-11-01T00:00:00Z').toISOString();
  const rows: Pick<Rows, 'repositories' | 'images' | 'image_metadata' | 'tags' | 'layers' | 'image_layers'> = { repositories: [], images: [], image_metadata: [], tags: [], layers: [], image_layers: [] };
  const seenChains = new Set<string>();
  const metadataPad = 'x'.repeat(1500); // a pushed image's metadata JSON is a few KB
  const addImage = (orgId: string, repoId: string, name: string, diffIds: string[], tags: string[]) => {
    const id = randomUUID();
    const chains = chainIds(diffIds);
    const digest = sha(`manifest ${name}`);
    rows.images.push({
      id, org_id: orgId, repository_id: repoId, digest, index_digest: null, config_digest: sha(`config ${name}`), created: at, pushed_at: at, last_seen_at: at,
      os: 'linux', architecture: 'amd64', variant: null, os_name: 'debian', os_version: '12', registry_host: 'registry.example.com', registry_url: 'https://registry.example.com', registry_type: 'other',
      size_compressed: 10_000_000 * diffIds.length, size_uncompressed: 30_000_000 * diffIds.length, layer_count: diffIds.length, package_count: 0, top_chain_id: chains.at(-1)!, distro: null,
    });
    rows.image_metadata.push({ image_id: id, org_id: orgId, metadata: JSON.stringify({ digest, pad: metadataPad }) });
    diffIds.forEach((d, i) => {
      if (!seenChains.has(chains[i])) {
        seenChains.add(chains[i]);
        rows.layers.push({ chain_id: chains[i], diff_id: d, parent_chain_id: i ? chains[i - 1] : null, depth: i + 1, uncompressed_size: 30_000_000 });
      }
      rows.image_layers.push({ image_id: id, position: i, org_id: orgId, chain_id: chains[i], digest: sha(`blob ${d}`), media_type: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10_000_000, created_by: null, created: null });
    });
    for (const t of tags) rows.tags.push({ id: randomUUID(), org_id: orgId, repository_id: repoId, name: t, image_id: id, since_at: at, until_at: null });
    return digest;
  };
  const repo = (orgId: string, name: string) => {
    const id = randomUUID();
    rows.repositories.push({ id, org_id: orgId, name, created_at: at, last_pushed_at: at });
    return id;
  };
  for (let d = 0; d < DISTROS; d++) addImage(catalog.id, repo(catalog.id, `library/distro-${d}`), `distro ${d}`, distroLayers(d), ['latest', `${d}`, `${d}.1`, `${d}-slim`, 'stable'].slice(0, 5));
  const repoIds: string[] = [];
  for (let r = 0; r < RUNTIMES; r++) {
    repoIds.push(repo(org.id, `team-${r % 50}/service-${r}`));
    addImage(org.id, repoIds[r], `runtime ${r}`, runtimeLayers(r), ['runtime']);
  }
  for (let a = 0; rows.images.length < IMAGES; a++) addImage(org.id, repoIds[a % RUNTIMES], `app ${a}`, appLayers(a), [`1.${Math.floor(a / RUNTIMES)}`]);
  // Parents before children; every multi-row insert under the backend's bound-parameter limit.
  const { chunks, rowsPerInsert } = await import(new URL('../dist/store/kysely/dialect.js', import.meta.url).href) as typeof import('../src/store/kysely/dialect.js');
  for (const table of ['repositories', 'images', 'image_metadata', 'layers', 'image_layers', 'tags'] as const) {
    const list = rows[table] as unknown as Record<string, unknown>[];
    // 500 rows a statement: the same SQL text again and again, prepared once on SQLite.
    const per = Math.min(500, rowsPerInsert(Object.keys(list[0]!).length));
    await platform.db.transaction().execute(async (trx) => {
      for (const c of chunks(list, per)) await trx.insertInto(table).values(c as never).execute();
    });
  }
  return { orgId: org.id };
}

export async function run(): Promise<void> {
  const { KyselyPlatformStore } = await built<PlatformModule>('store/kysely/platform-store.js');
  const { chainIds } = await built<ChainModule>('image/chain-id.js');
  await eachBackend(async (db) => {
    const platform = await KyselyPlatformStore.open(db.location);
    try {
      const t = performance.now();
      await seed(platform, chainIds);
      const counts = await platform.tableCounts();
      console.log(`  seeded ${counts.images.toLocaleString('en')} images (${counts.image_layers.toLocaleString('en')} image layers, ${counts.layers.toLocaleString('en')} layer chains, ${counts.tags.toLocaleString('en')} tags) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      // After a bulk load PostgreSQL has no statistics until autovacuum comes by: as it would.
      if (platform.dialect === 'postgres') await sql`ANALYZE`.execute(platform.db);
      const org = platform.forOrg((await platform.orgByName('bench'))!);
      const times: number[] = [];
      let wrong = 0;
      for (let i = 0; i < LOOKUPS + 50; i++) {
        // Every 10th asks for an image built on a layer nobody stored: no base.
        const a = (i * 7919) % (IMAGES - RUNTIMES - DISTROS);
        const diffIds = i % 10 === 9 ? [sha(`unknown ${i}`), ...appLayers(a).slice(1)] : appLayers(a);
        const s = performance.now();
        const base = await org.findBaseImage(chainIds(diffIds));
        const ms = performance.now() - s;
        if (i >= 50) times.push(ms);
        const expected = i % 10 === 9 ? undefined : sha(`manifest runtime ${a % RUNTIMES}`);
        if (base?.digest !== expected || (expected && (base!.layers !== 3 || base!.tags[0] !== 'runtime'))) wrong++;
      }
      if (wrong) throw new Error(`${wrong} lookups found the wrong base image`);
      const p99 = pct(times, 99);
      console.log(`  ${LOOKUPS} lookups (1 in 10 with no base to find, all answers checked): p50 ${pct(times, 50).toFixed(2)} ms, p95 ${pct(times, 95).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms ${p99 <= 5 ? '✓' : '✗ (target ≤ 5 ms)'}; ${loadNote()}`);
    } finally {
      await platform.close();
    }
  });
}
