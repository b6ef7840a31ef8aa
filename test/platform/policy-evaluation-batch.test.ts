/**
 * A re-match judges the policies of hundreds of images in one transaction, set-based (the facts
 * of all of them read in a few queries, the results, history and events written in multi-row
 * statements). Proven here on both backends, on 40 images of two organisations with what
 * changes a verdict (a base image matched by layers, the organisation's own or the catalogue's,
 * or named by provenance, stored or not; tags that moved off a base; secrets; attestations;
 * findings; a custom policy; where an image runs): evaluating them all at once stores exactly
 * the results, history rows and policy.changed events that evaluating each alone stores, for a
 * first evaluation and for one after changes; and the number of statements does not grow with
 * the number of images.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KyselyPlugin, Transaction } from 'kysely';
import { evaluateStoredImages } from '../../src/platform/policy-evaluation.js';
import { OrgActivity } from '../../src/store/kysely/activity-store.js';
import { writeOrgPolicies } from '../../src/store/kysely/org-policies.js';
import type { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import type { PlatformDatabase } from '../../src/store/kysely/schema.js';
import type { ImageUpload, SecretScan } from '../../src/store/platform-store.js';
import { findingOf, uploadOf, type UploadSpec } from '../helpers/platform-upload.js';
import { BACKENDS, freshPlatformStore } from '../helpers/platform-db.js';

const NOW = new Date('2026-12-07T12:00:00Z');

const SECRETS: SecretScan = {
  scannedAt: '2026-12-01T00:00:00Z',
  findings: [{ rule: 'aws-access-key', title: 'AWS key', severity: 'high', source: 'env', location: 'ENV KEY', masked: 'AKIA****' }],
  skipped: { binary: 0, overCap: 0, packageTest: 0 },
  unreadLayers: [],
};

const CURL_POLICY = ['custom:', '  - id: no-curl', '    title: No curl in the image', '    expression: packages.filter(p, p.name == "curl").map(p, p.purl)', ''].join('\n');

/** An upload with a critical finding (fixable or not) on its first package, and what else `more` brings. */
function upload(spec: UploadSpec, more: Partial<ImageUpload> & { critical?: 'fixable' | 'unfixable' } = {}): ImageUpload {
  const { critical, ...rest } = more;
  const u = uploadOf(spec);
  const findings = critical ? [findingOf(u.packages[0], `CVE-2099-${spec.config ?? '0'}`, 'critical', critical === 'fixable' ? '9.9.9' : undefined)] : [];
  return { ...u, findings: [...u.findings, ...findings], ...rest };
}

interface Snapshot {
  results: unknown[];
  history: unknown[];
  events: unknown[];
}

/** What the evaluation stored of these images: results, history rows and policy.changed events, without their generated ids. */
async function snapshot(db: Transaction<PlatformDatabase>, ids: readonly string[]): Promise<Snapshot> {
  const results = await db.selectFrom('policy_results').selectAll().where('image_id', 'in', ids).orderBy('image_id').execute();
  const history = await db.selectFrom('policy_history').select(['org_id', 'image_id', 'evaluated_at', 'trigger', 'status', 'grade', 'score', 'results']).where('image_id', 'in', ids).orderBy('image_id').orderBy('id').execute();
  const events = await db.selectFrom('events').select(['org_id', 'kind', 'created_at', 'image_id', 'image_digest', 'vulnerability_id', 'payload']).where('kind', '=', 'policy.changed').where('image_id', 'in', ids).orderBy('image_id').orderBy('id').execute();
  return {
    results,
    history,
    events: events.map(({ payload, ...e }) => {
      const { id, ...rest } = JSON.parse(payload) as { id: string };
      assert.ok(id);
      return { ...e, payload: rest };
    }),
  };
}

/** Counts the statements run through a handle. */
function statementCounter(): KyselyPlugin & { count: number } {
  const c = {
    count: 0,
    transformQuery: (args: Parameters<KyselyPlugin['transformQuery']>[0]) => {
      c.count++;
      return args.node;
    },
    transformResult: (args: Parameters<KyselyPlugin['transformResult']>[0]) => Promise.resolve(args.result),
  };
  return c;
}

const ROLLBACK = Symbol('rollback');

/**
 * Evaluates the images each alone (then rolls that back) and all at once (kept): both
 * snapshots, and the statements the batch ran.
 */
async function aloneAndTogether(store: KyselyPlatformStore, ids: readonly string[]): Promise<{ alone: Snapshot; together: Snapshot; statements: number; changed: number }> {
  let alone: Snapshot | undefined;
  await store.db
    .transaction()
    .execute(async (trx) => {
      for (const id of ids) await evaluateStoredImages(trx, [id], { trigger: 'rematch', now: NOW });
      alone = await snapshot(trx, ids);
      throw ROLLBACK;
    })
    .catch((err: unknown) => {
      if (err !== ROLLBACK) throw err;
    });
  const counter = statementCounter();
  const { together, changed } = await store.db.transaction().execute(async (trx) => {
    const changed = await evaluateStoredImages(trx.withPlugin(counter), ids, { trigger: 'rematch', now: NOW });
    return { together: await snapshot(trx, ids), changed };
  });
  return { alone: alone!, together, statements: counter.count, changed };
}

for (const backend of BACKENDS) {
  test(`${backend}: 40 images of two organisations judged at once store the results, history and events each gets alone, in a fixed number of statements`, async (t) => {
    const store = await freshPlatformStore(backend, t);
    const library = store.forOrg(await store.ensureOrg('library', { catalog: true }));
    const acmeOrg = await store.ensureOrg('acme');
    const globexOrg = await store.ensureOrg('globex');
    const acme = store.forOrg(acmeOrg);
    const globex = store.forOrg(globexOrg);
    const put = async (org: typeof acme, u: ImageUpload) => (await org.putImage(u, NOW)).image;

    // Bases: the catalogue's debian, each organisation's own runtime on top of it.
    await put(library, upload({ layers: ['deb'], repository: 'library/debian', tags: ['12'], purls: ['pkg:deb/debian/libc6@2.36'] }));
    const acmeRuntime = await put(acme, upload({ layers: ['deb', 'acme-rt'], repository: 'acme/runtime', tags: ['1', 'latest'], purls: ['pkg:npm/node-runtime@20.0.0'] }));
    await put(globex, upload({ layers: ['deb', 'globex-rt'], repository: 'globex/runtime', tags: ['1'], purls: ['pkg:npm/node-runtime@20.0.0'] }));

    const ids: string[] = [];
    const digests: string[] = [];
    for (let i = 0; i < 30; i++) {
      // On acme's runtime, on debian alone, or on nothing stored.
      const layers = i % 3 === 0 ? ['deb', 'acme-rt', `a-${i}`] : i % 3 === 1 ? ['deb', `a-${i}`] : [`solo-${i}`];
      const purls = [`pkg:npm/lib-${i % 4}@1.${i % 3}.0`, ...(i % 5 === 0 ? ['pkg:deb/debian/curl@7.88.1'] : []), 'pkg:npm/common@1.0.0'];
      const provenance =
        i % 7 === 0
          ? { materials: [], baseImage: { name: 'acme/runtime:1', digest: acmeRuntime.digest } }
          : i % 7 === 1
            ? { materials: [], baseImage: { name: 'docker.io/library/node:20', digest: `sha256:${'c'.repeat(64)}` } }
            : i % 7 === 2
              ? { materials: [], baseImage: { name: 'docker.io/library/debian:12' } }
              : undefined;
      const image = await put(
        acme,
        upload(
          { layers, purls, repository: `acme/app-${i % 6}`, tags: [`v${i}`], config: String(i) },
          {
            ...(provenance ? { provenance, attestations: { provenance: true, sbom: i % 2 === 0 } } : {}),
            ...(i % 4 === 0 ? { secrets: SECRETS } : {}),
            ...(i % 6 === 0 ? { critical: 'fixable' as const } : i % 6 === 3 ? { critical: 'unfixable' as const } : {}),
          },
        ),
      );
      ids.push((await store.db.selectFrom('images').select('id').where('digest', '=', image.digest).executeTakeFirstOrThrow()).id);
      digests.push(image.digest);
    }
    for (let i = 0; i < 10; i++) {
      // Acme's runtime layers too: globex must not see acme's image as its base.
      const layers = i % 2 === 0 ? ['deb', 'acme-rt', `g-${i}`] : ['deb', 'globex-rt', `g-${i}`];
      const image = await put(globex, upload({ layers, purls: [`pkg:npm/lib-${i % 4}@1.0.0`, ...(i % 3 === 0 ? ['pkg:deb/debian/curl@7.88.1'] : [])], repository: 'globex/app', tags: [`v${i}`], config: `g${i}` }, i % 4 === 1 ? { critical: 'fixable' } : {}));
      ids.push((await store.db.selectFrom('images').select('id').where('digest', '=', image.digest).executeTakeFirstOrThrow()).id);
      digests.push(image.digest);
    }
    // Where some of them run: the events say so.
    await new OrgActivity(store.db, acmeOrg).applyInventory({ environment: 'production', cluster: 'eu-1', observedAt: NOW.toISOString(), workloads: [0, 1, 2, 9].map((i) => ({ namespace: 'shop', name: `app-${i}`, type: 'Deployment' as const, images: [{ ref: `acme/app-${i % 6}:v${i}`, digest: digests[i] }] })) });
    await new OrgActivity(store.db, globexOrg).applyInventory({ environment: 'staging', cluster: 'us-1', observedAt: NOW.toISOString(), workloads: [{ namespace: 'web', name: 'front', type: 'Deployment' as const, images: [{ ref: 'globex/app:v1', digest: digests[31] }] }] });

    // The first evaluation: a result and a history row each, no event.
    const first = await aloneAndTogether(store, ids);
    assert.equal(first.together.results.length, 40);
    assert.equal(first.together.history.length, 40);
    assert.equal(first.changed, 0);
    assert.deepEqual(first.together, first.alone);
    // The images are judged on different bases: the catalogue's, acme's runtime, provenance's, none.
    const bases = new Set(
      first.together.results.map((r) => {
        const report = JSON.parse((r as { report: string }).report) as { results: { id: string; status: string; violations: { subject: string }[] }[] };
        const up = report.results.find((x) => x.id === 'up-to-date-base-image')!;
        const approved = report.results.find((x) => x.id === 'approved-base-images')!;
        return `${up.status} ${approved.status} ${approved.violations.map((v) => v.subject).join()}`;
      }),
    );
    assert.ok(bases.size >= 4, [...bases].join('\n'));
    // A fixed number of statements for 40 images (each alone took six or more).
    assert.ok(first.statements <= 30, `${first.statements} statements`);

    // Changes: acme's runtime tags move to a new build (images on the old one are now on an
    // outdated base); globex adopts a custom policy; a debian tag is added (nothing moves).
    await put(acme, upload({ layers: ['deb', 'acme-rt-2'], repository: 'acme/runtime', tags: ['1', 'latest'], purls: ['pkg:npm/node-runtime@20.1.0'] }));
    await put(library, upload({ layers: ['deb'], repository: 'library/debian', tags: ['bookworm'], purls: ['pkg:deb/debian/libc6@2.36'] }));
    await writeOrgPolicies(store.db, globexOrg.id, CURL_POLICY, NOW.toISOString(), null);

    const again = await aloneAndTogether(store, ids);
    assert.deepEqual(again.together, again.alone);
    // Changed: every globex image (a policy appeared), and the acme images whose base is now
    // outdated: those whose provenance names the old runtime by digest, and those on its layers
    // whose provenance names no other base (a base named otherwise leaves it unknown).
    const outdated = (i: number) => i % 7 === 0 || (i % 3 === 0 && i % 7 !== 1 && i % 7 !== 2);
    const eventImages = again.together.events.map((e) => (e as { image_id: string }).image_id).sort();
    assert.equal(again.changed, eventImages.length);
    assert.deepEqual(eventImages, [...ids.slice(30), ...ids.slice(0, 30).filter((_, i) => outdated(i))].sort());
    assert.equal(again.together.history.length, 40 + eventImages.length);
    const running = again.together.events.filter((e) => (e as { payload: { environments: unknown[] } }).payload.environments.length > 0);
    assert.ok(running.length >= 2, 'events carry where the images run');
    assert.ok(again.statements <= 30, `${again.statements} statements`);
  });
}
