import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyWebhookSignature } from '../../src/notify/webhook.js';
import type { ScoutEvent } from '../../src/notify/events.js';
import type { Workload } from '../../src/store/kysely/activity-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, testApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { testOsv } from '../helpers/osv-record.js';

type Page<T> = { items: T[]; next?: string };

const osv = testOsv;

for (const backend of BACKENDS) {
  test(`${backend}: a new advisory affecting 3 of 10 stored images makes 3 findings and 3 events, delivered; a fix closes them as fixed, a withdrawal as withdrawn`, async (t) => {
    const api = await testApi(backend, t, { jobs: { webhookBackoffMs: 50 } });
    const rx = await startReceiver();
    t.after(() => rx.close());
    const acme = await api.platform.orgByName('acme');
    const store = api.platform.forOrg(acme!);
    // 10 images: 3 hold the affected version, 2 a version past the fix, 5 something else.
    const digests: string[] = [];
    for (let i = 0; i < 10; i++) {
      const purl = i < 3 ? 'pkg:npm/scout-test-pkg@1.0.0' : i < 5 ? 'pkg:npm/scout-test-pkg@2.0.0' : `pkg:npm/unrelated-${i}@1.0.0`;
      const r = await store.putImage(uploadOf({ layers: [`base`, `app-${i}`], purls: [purl, 'pkg:npm/common@1.0.0'], repository: `shop/app-${i}`, tags: ['1'] }));
      digests.push(r.image.digest);
    }
    const affected = digests.slice(0, 3).sort();
    const hook = await api.call<{ webhook: { id: string }; secret: string }>({ method: 'POST', url: '/v1/webhooks', route: 'POST /v1/webhooks', token: api.admin, payload: { url: rx.url } });
    assert.equal(hook.status, 201);
    assert.match(hook.body.secret, /^whsec_/);
    // It runs in production: events say so.
    const inv = await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'production', cluster: 'eu-1', workloads: [{ namespace: 'shop', name: 'app-0', type: 'Deployment', images: [{ ref: 'shop/app-0:1', digest: digests[0] }] }] } });
    assert.equal(inv.status, 200);

    const post = await api.call<{ inserted: number; rematchJob?: string }>({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [osv('SCOUT-TEST-1', 'CVE-2099-0001', '1.5.0')] });
    assert.equal(post.status, 202);
    assert.equal(post.body.inserted, 1);
    assert.ok(post.body.rematchJob);
    await api.jobs!.queue.idle(undefined, 30_000);

    const events = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events', route: 'GET /v1/events', token: api.admin });
    assert.equal(events.status, 200);
    assert.equal(events.body.items.length, 3);
    assert.deepEqual(events.body.items.map((e) => e.kind), ['vulnerability.new', 'vulnerability.new', 'vulnerability.new']);
    assert.deepEqual(events.body.items.map((e) => e.image.digest).sort(), affected);
    for (const e of events.body.items) {
      assert.equal(e.vulnerability?.id, 'CVE-2099-0001');
      assert.equal(e.vulnerability?.severity, 'high');
      assert.deepEqual(e.vulnerability?.packages, [{ purl: 'pkg:npm/scout-test-pkg@1.0.0', version: '1.0.0', fixedVersions: ['1.5.0'] }]);
    }
    const prod = events.body.items.find((e) => e.image.digest === digests[0])!;
    assert.deepEqual(prod.environments, [{ name: 'production', workloads: [{ cluster: 'eu-1', namespace: 'shop', name: 'app-0', type: 'Deployment' }] }]);
    const envFiltered = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?environment=production', route: 'GET /v1/events', token: api.admin });
    assert.deepEqual(envFiltered.body.items.map((e) => e.id), [prod.id]);
    // Findings: in the three images only, first seen now, open.
    for (const [i, d] of digests.entries()) {
      const f = (await store.imageFindings(d, {}))!.items;
      if (i < 3) {
        assert.deepEqual(f.map((x) => [x.vulnerabilityId, x.purl, x.fixedAt, x.withdrawnAt]), [['CVE-2099-0001', 'pkg:npm/scout-test-pkg@1.0.0', undefined, undefined]]);
        assert.equal(f[0].firstSeenAt, f[0].lastSeenAt);
      } else assert.deepEqual(f, []);
    }
    // `scout vuln` side: the workload running an affected image.
    const wl = await api.call<{ items: Workload[] }>({ method: 'GET', url: '/v1/vulnerabilities/CVE-2099-0001/workloads', route: 'GET /v1/vulnerabilities/:id/workloads', token: api.admin });
    assert.deepEqual(wl.body.items.map((w) => [w.environment, w.namespace, w.name, w.imageDigest]), [['production', 'shop', 'app-0', digests[0]]]);

    // Delivered to the webhook, signed; the log says so.
    const got = await rx.waitFor(3);
    assert.deepEqual(got.map((r) => r.headers['scout-event-id']).sort(), events.body.items.map((e) => e.id).sort());
    for (const r of got) assert.ok(verifyWebhookSignature({ secret: hook.body.secret, body: r.body, timestamp: String(r.headers['scout-timestamp']), signature: String(r.headers['scout-signature']) }));
    const log = await api.call<Page<{ state: string; attempt: number; statusCode: number }>>({ method: 'GET', url: `/v1/webhooks/${hook.body.webhook.id}/deliveries`, route: 'GET /v1/webhooks/:id/deliveries', token: api.admin });
    assert.deepEqual(log.body.items.map((d) => [d.state, d.attempt, d.statusCode]), Array(3).fill(['delivered', 1, 200]));

    // The same record again changes nothing.
    const same = await api.call<{ unchanged: number; rematchJob?: string }>({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: (await api.advisories.get('SCOUT-TEST-1'))!.id ? [{ ...osv('SCOUT-TEST-1', 'CVE-2099-0001', '1.5.0'), modified: (await api.advisories.get('SCOUT-TEST-1'))!.modified }] : [] });
    assert.equal(same.body.rematchJob, undefined);

    // A fix version at the stored version: the three are fixed.
    rx.failNext(500);
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-TEST-1', 'CVE-2099-0001', '1.0.0') });
    await api.jobs!.queue.idle(undefined, 30_000);
    const fixed = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?kind=vulnerability.fixed', route: 'GET /v1/events', token: api.admin });
    assert.deepEqual(fixed.body.items.map((e) => e.image.digest).sort(), affected);
    for (const d of affected) {
      const [f] = (await store.imageFindings(d, {}))!.items;
      assert.ok(f.fixedAt && !f.withdrawnAt, JSON.stringify(f));
    }
    // One delivery failed with 500 and was retried after its backoff.
    const log2 = await api.call<Page<{ state: string; attempt: number; statusCode: number }>>({ method: 'GET', url: `/v1/webhooks/${hook.body.webhook.id}/deliveries`, route: 'GET /v1/webhooks/:id/deliveries', token: api.admin });
    assert.deepEqual(log2.body.items.filter((d) => d.state === 'retrying').map((d) => [d.attempt, d.statusCode]), [[1, 500]]);
    // 3 new, 3 fixed, and 3 policy.changed: first judged after the re-match that found the
    // vulnerability, the images pass no-fixable-critical-high again once it is fixed.
    assert.equal(log2.body.items.filter((d) => d.state === 'delivered').length, 9);
    const policyEvents = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: api.admin });
    assert.deepEqual(policyEvents.body.items.map((e) => e.image.digest).sort(), affected);
    for (const e of policyEvents.body.items) assert.deepEqual(e.policy?.policies.map((p) => [p.id, p.previous, p.status]), [['no-fixable-critical-high', 'fail', 'pass']]);

    // Another vulnerability, then withdrawn: its findings close as withdrawn.
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-TEST-2', 'CVE-2099-0002', '1.5.0') });
    await api.jobs!.queue.idle(undefined, 30_000);
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-TEST-2', 'CVE-2099-0002', '1.5.0', { withdrawn: new Date().toISOString() }) });
    await api.jobs!.queue.idle(undefined, 30_000);
    const byKind = async (kind: string) => (await api.call<Page<ScoutEvent>>({ method: 'GET', url: `/v1/events?vulnerability=CVE-2099-0002&kind=${kind}`, route: 'GET /v1/events', token: api.admin })).body.items.map((e) => e.image.digest).sort();
    assert.deepEqual(await byKind('vulnerability.new'), affected);
    assert.deepEqual(await byKind('vulnerability.withdrawn'), affected);
    for (const d of affected) {
      const f = (await store.imageFindings(d, {}))!.items.find((x) => x.vulnerabilityId === 'CVE-2099-0002')!;
      assert.ok(f.withdrawnAt && !f.fixedAt, JSON.stringify(f));
    }
    const all = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?limit=500', route: 'GET /v1/events', token: api.admin });
    // 12 vulnerability events, and 9 policy.changed: the fix, CVE-2099-0002 and its withdrawal
    // each moved no-fixable-critical-high of the three images.
    assert.equal(all.body.items.filter((e) => e.kind.startsWith('vulnerability.')).length, 12);
    assert.equal(all.body.items.filter((e) => e.kind === 'policy.changed').length, 9);
    assert.equal(all.body.items.length, 21);
    // Paging: 5 + 5 + 5 + 5 + 1, in order, by cursor.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await api.call<Page<ScoutEvent>>({ method: 'GET', url: `/v1/events?limit=5${cursor ? `&cursor=${cursor}` : ''}`, route: 'GET /v1/events', token: api.admin });
      seen.push(...p.body.items.map((e) => e.id));
      cursor = p.body.next;
    } while (cursor);
    assert.deepEqual(seen, all.body.items.map((e) => e.id));
    // The other filters: one image's events; those after an event id; the environment's, paged
    // 2 at a time (it filters inside the payload, reading ahead).
    const ids = async (url: string) => {
      const out: string[] = [];
      let next: string | undefined;
      do {
        const p = await api.call<Page<ScoutEvent>>({ method: 'GET', url: `${url}${next ? `&cursor=${next}` : ''}`, route: 'GET /v1/events', token: api.admin });
        assert.equal(p.status, 200, url);
        out.push(...p.body.items.map((e) => e.id));
        next = p.body.next;
      } while (next);
      return out;
    };
    const ofImage = all.body.items.filter((e) => e.image.digest === digests[1]).map((e) => e.id);
    assert.equal(ofImage.length, 7, 'new, fixed, new and withdrawn, and three policy changes');
    assert.deepEqual(await ids(`/v1/events?image=${digests[1]}&limit=500`), ofImage);
    assert.deepEqual(await ids(`/v1/events?after=${all.body.items[9].id}&limit=500`), all.body.items.slice(10).map((e) => e.id));
    const inProduction = all.body.items.filter((e) => e.environments.some((x) => x.name === 'production')).map((e) => e.id);
    assert.equal(inProduction.length, 7);
    assert.deepEqual(await ids('/v1/events?environment=production&limit=2'), inProduction);
    assert.deepEqual(await ids('/v1/events?environment=staging&limit=2'), []);
  });

  test(`${backend}: a pushed image is an image.pushed event, committed with it and delivered; pushing it again is not`, async (t) => {
    const api = await testApi(backend, t, { jobs: {} });
    const rx = await startReceiver();
    t.after(() => rx.close());
    const sbom = JSON.parse(writeScoutJson(await demoImageSbom())) as { image: { digest: string } };
    const digest = sbom.image.digest;
    const hook = await api.call<{ webhook: { id: string }; secret: string }>({ method: 'POST', url: '/v1/webhooks', route: 'POST /v1/webhooks', token: api.admin, payload: { url: rx.url, kinds: ['image.pushed'] } });
    assert.equal(hook.status, 201);
    // It already runs somewhere (the inventory came first): the event says where.
    await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'staging', cluster: 'c1', workloads: [{ namespace: 'web', name: 'app', type: 'Deployment', images: [{ ref: 'demo/app:1.0', digest }] }] } });
    const push = () => api.call<{ created: boolean }>({ method: 'POST', url: '/v1/images?repository=demo/app&tag=1.0&tag=latest', route: 'POST /v1/images', token: api.admin, payload: gzipJson(sbom), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal((await push()).status, 201);
    assert.equal((await push()).status, 200);
    await api.jobs!.queue.idle(undefined, 30_000);
    const events = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events?kind=image.pushed', route: 'GET /v1/events', token: api.admin });
    assert.equal(events.body.items.length, 1);
    const [e] = events.body.items;
    assert.deepEqual(e.image, { digest, repository: 'demo/app', tags: ['1.0', 'latest'] });
    assert.deepEqual(e.environments, [{ name: 'staging', workloads: [{ cluster: 'c1', namespace: 'web', name: 'app', type: 'Deployment' }] }]);
    const [got] = await rx.waitFor(1);
    assert.equal(got.headers['scout-event-id'], e.id);
    assert.equal(got.headers['scout-event-kind'], 'image.pushed');
    assert.ok(verifyWebhookSignature({ secret: hook.body.secret, body: got.body, timestamp: String(got.headers['scout-timestamp']), signature: String(got.headers['scout-signature']) }));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.received.length, 1, 'the second push delivered nothing');
  });

  test(`${backend}: a workload appears, changes image, disappears; the API keeps its history`, async (t) => {
    const api = await testApi(backend, t);
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const post = (workloads: unknown[]) => api.call<{ opened: number; changed: number; closed: number; workloads: number }>({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'prod', cluster: 'eu-1', workloads } });
    const api1 = { namespace: 'shop', name: 'api', type: 'Deployment', images: [{ ref: 'acme/api:1', digest: d('a') }] };
    const db = { namespace: 'shop', name: 'db', type: 'StatefulSet', images: [{ ref: 'postgres:16', digest: d('b') }] };
    assert.deepEqual((await post([api1, db])).body, { environment: 'prod', cluster: 'eu-1', workloads: 2, opened: 2, changed: 0, closed: 0 });
    assert.deepEqual((await post([api1, db])).body, { environment: 'prod', cluster: 'eu-1', workloads: 2, opened: 0, changed: 0, closed: 0 });
    assert.deepEqual((await post([{ ...api1, images: [{ ref: 'acme/api:2', digest: d('c') }] }, db])).body, { environment: 'prod', cluster: 'eu-1', workloads: 2, opened: 0, changed: 1, closed: 0 });
    assert.deepEqual((await post([db])).body, { environment: 'prod', cluster: 'eu-1', workloads: 1, opened: 0, changed: 0, closed: 1 });
    const now = await api.call<Page<Workload>>({ method: 'GET', url: '/v1/environments/prod', route: 'GET /v1/environments/:env', token: api.admin });
    assert.deepEqual(now.body.items.map((w) => w.name), ['db']);
    const history = await api.call<Page<Workload>>({ method: 'GET', url: '/v1/environments/prod?history=true', route: 'GET /v1/environments/:env', token: api.admin });
    const apiRows = history.body.items.filter((w) => w.name === 'api');
    assert.deepEqual(apiRows.map((w) => [w.imageRef, w.imageDigest, Boolean(w.endedAt)]), [
      ['acme/api:1', d('a'), true],
      ['acme/api:2', d('c'), true],
    ]);
    assert.ok(apiRows[0].endedAt! <= apiRows[1].startedAt);
    const envs = await api.call<{ items: { name: string; workloads: number; images: number }[] }>({ method: 'GET', url: '/v1/environments', route: 'GET /v1/environments', token: api.admin });
    assert.deepEqual(envs.body.items.map((e) => [e.name, e.workloads, e.images]), [['prod', 1, 1]]);
    // A hostile inventory is refused with its reason.
    const bad = await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'prod', cluster: 'x', workloads: [{ namespace: 'a', name: 'b', type: 'Pod', images: [{ ref: 'x', digest: 'sha256:nothex' }] }] } });
    assert.equal(bad.status, 400);
  });

  test(`${backend}: the workloads running a vulnerability page by cursor: each running one exactly once, in a stable order; another organisation sees only its own`, async (t) => {
    const api = await testApi(backend, t, { jobs: {} });
    const acmeOrg = (await api.platform.orgByName('acme'))!;
    const other = await api.tokenFor('other');
    const otherOrg = (await api.platform.orgByName('other'))!;
    // Two affected images and one past the fix; the other organisation stores the first too (same digest).
    const put = (org: typeof acmeOrg, layer: string, version: string) => api.platform.forOrg(org).putImage(uploadOf({ layers: [layer], purls: [`pkg:npm/scout-test-pkg@${version}`], repository: `shop/${layer}`, tags: ['1'] })).then((r) => r.image.digest);
    const [a, b, fixed] = [await put(acmeOrg, 'a', '1.0.0'), await put(acmeOrg, 'b', '1.0.0'), await put(acmeOrg, 'c', '2.0.0')];
    assert.equal(await put(otherOrg, 'a', '1.0.0'), a);
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-TEST-7', 'CVE-2099-0077', '1.5.0') });
    await api.jobs!.queue.idle(undefined, 30_000);

    type W = { namespace: string; name: string; type: string; images: { ref: string; digest: string }[] };
    const n3 = (i: number) => String(i).padStart(3, '0');
    // prod/c0: 70 workloads on a; every tenth also has a sidecar on b (two rows alike but for
    // their id), w000 stops running in a second inventory. stage/c1: 60 on b, 10 on the fixed image.
    const prod: W[] = Array.from({ length: 70 }, (_, i) => ({ namespace: `ns${i % 2}`, name: `w${n3(i)}`, type: 'Deployment', images: [{ ref: 'shop/a:1', digest: a }, ...(i % 10 === 0 ? [{ ref: 'shop/b:1', digest: b }] : [])] }));
    const stage: W[] = Array.from({ length: 70 }, (_, i) => ({ namespace: 'ns0', name: `v${n3(i)}`, type: 'StatefulSet', images: [i < 60 ? { ref: 'shop/b:1', digest: b } : { ref: 'shop/c:1', digest: fixed }] }));
    const inventory = (token: string, environment: string, cluster: string, workloads: W[]) => api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token, payload: { environment, cluster, workloads } });
    assert.equal((await inventory(api.admin, 'prod', 'c0', prod)).status, 200);
    assert.equal((await inventory(api.admin, 'prod', 'c0', prod.slice(1))).status, 200);
    assert.equal((await inventory(api.admin, 'stage', 'c1', stage)).status, 200);
    assert.equal((await inventory(other, 'theirs', 'x', [{ namespace: 'o', name: 'only', type: 'Pod', images: [{ ref: 'shop/a:1', digest: a }] }])).status, 200);
    const expected = [
      ...prod.slice(1).flatMap((w) => w.images.map((img) => ['prod', 'c0', w.namespace, w.name, img.digest].join(' '))),
      ...stage.slice(0, 60).map((w) => ['stage', 'c1', w.namespace, w.name, b].join(' ')),
    ];
    assert.equal(expected.length, 69 + 6 + 60, "w010…w060 have a sidecar");

    const get = (query: string, token = api.admin) => api.call<Page<Workload>>({ method: 'GET', url: `/v1/vulnerabilities/CVE-2099-0077/workloads${query}`, route: 'GET /v1/vulnerabilities/:id/workloads', token });
    const walk = async (limit: number, id = 'CVE-2099-0077') => {
      const seen: Workload[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const p = await api.call<Page<Workload>>({ method: 'GET', url: `/v1/vulnerabilities/${id}/workloads?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, route: 'GET /v1/vulnerabilities/:id/workloads', token: api.admin });
        assert.equal(p.status, 200);
        assert.ok(p.body.items.length <= limit);
        if (p.body.next) assert.equal(p.body.items.length, limit, 'only the last page is short');
        seen.push(...p.body.items);
        cursor = p.body.next;
        pages++;
      } while (cursor);
      return { seen, pages };
    };
    const whole = await get('?limit=500');
    assert.equal(whole.body.next, undefined);
    const key = (w: Workload) => [w.environment, w.cluster, w.namespace, w.name].join(' ');
    // By environment, cluster, namespace and name; the two rows of a workload with a sidecar side by side.
    const keys = whole.body.items.map(key);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(whole.body.items.map((w) => `${key(w)} ${w.imageDigest}`).sort(), [...expected].sort());
    assert.ok(whole.body.items.every((w) => !w.endedAt));
    // Paged, every workload exactly once, in the order of the whole list, whatever the page size.
    for (const limit of [1, 7, 50]) {
      const { seen, pages } = await walk(limit);
      assert.deepEqual(seen.map((w) => w.id), whole.body.items.map((w) => w.id), `limit ${limit}`);
      assert.equal(new Set(seen.map((w) => w.id)).size, expected.length);
      assert.equal(pages, Math.ceil(expected.length / limit));
    }
    // Without a limit, the default page of 50; an alias finds the same workloads.
    const first = await get('');
    assert.equal(first.body.items.length, 50);
    assert.ok(first.body.next);
    assert.deepEqual((await walk(40, 'SCOUT-TEST-7')).seen.map((w) => w.id), whole.body.items.map((w) => w.id));
    // Hostile paging is refused with its reason.
    for (const q of ['?limit=0', '?limit=501', '?limit=x', '?cursor=not-a-cursor', `?cursor=${Buffer.from('[1]').toString('base64url')}`]) {
      const r = await api.call<{ code: string; message: string }>({ method: 'GET', url: `/v1/vulnerabilities/CVE-2099-0077/workloads${q}`, route: 'GET /v1/vulnerabilities/:id/workloads', token: api.admin });
      assert.equal(r.status, 400, q);
      assert.match(r.body.message, /limit|cursor/, q);
    }
    // The other organisation, with the same image and finding, sees its own workload only, even with acme's cursor.
    const theirs = await get('?limit=500', other);
    assert.deepEqual(theirs.body.items.map((w) => [w.environment, w.name, w.imageDigest]), [['theirs', 'only', a]]);
    // A cursor is only a sort key: acme's resumes after prod/c0/…, where other's one workload (theirs/…) still follows.
    assert.deepEqual((await get(`?limit=5&cursor=${first.body.next}`, other)).body.items.map((w) => w.id), theirs.body.items.map((w) => w.id));
    assert.deepEqual((await get('?limit=500', await api.tokenFor('third'))).body, { items: [] });
  });

  test(`${backend}: every continuous route keeps organisations apart`, async (t) => {
    const api = await testApi(backend, t, { jobs: {} });
    const rx = await startReceiver();
    t.after(() => rx.close());
    const other = await api.tokenFor('other');
    const acmeOrg = (await api.platform.orgByName('acme'))!;
    const otherOrg = (await api.platform.orgByName('other'))!;
    // Both orgs store the same affected image; each sees only its own events and findings.
    for (const org of [acmeOrg, otherOrg]) await api.platform.forOrg(org).putImage(uploadOf({ layers: ['l'], purls: ['pkg:npm/scout-test-pkg@1.0.0'], repository: 'r', tags: ['1'] }));
    const hook = await api.call<{ webhook: { id: string } }>({ method: 'POST', url: '/v1/webhooks', route: 'POST /v1/webhooks', token: api.admin, payload: { url: rx.url, format: 'slack' } });
    await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'secret-env', cluster: 'c', workloads: [{ namespace: 'n', name: 'w', type: 'Pod', images: [{ ref: 'r:1' }] }] } });
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-TEST-9', 'CVE-2099-0009', '2.0.0') });
    await api.jobs!.queue.idle(undefined, 30_000);
    const acmeEvents = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events', route: 'GET /v1/events', token: api.admin });
    const otherEvents = await api.call<Page<ScoutEvent>>({ method: 'GET', url: '/v1/events', route: 'GET /v1/events', token: other });
    assert.equal(acmeEvents.body.items.length, 1);
    assert.equal(otherEvents.body.items.length, 1);
    assert.notEqual(acmeEvents.body.items[0].id, otherEvents.body.items[0].id);
    // Only acme's webhook got acme's event; other has none.
    assert.equal((await rx.waitFor(1)).length, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.received.length, 1);
    const w = `/v1/webhooks/${hook.body.webhook.id}`;
    assert.deepEqual((await api.call<{ items: unknown[] }>({ method: 'GET', url: '/v1/webhooks', route: 'GET /v1/webhooks', token: other })).body.items, []);
    assert.equal((await api.call({ method: 'GET', url: `${w}/deliveries`, route: 'GET /v1/webhooks/:id/deliveries', token: other })).status, 404);
    assert.equal((await api.call({ method: 'POST', url: `${w}/test`, route: 'POST /v1/webhooks/:id/test', token: other })).status, 404);
    assert.equal((await api.call({ method: 'DELETE', url: w, route: 'DELETE /v1/webhooks/:id', token: other })).status, 404);
    assert.deepEqual((await api.call<{ items: unknown[] }>({ method: 'GET', url: '/v1/environments', route: 'GET /v1/environments', token: other })).body.items, []);
    assert.deepEqual((await api.call<Page<unknown>>({ method: 'GET', url: '/v1/environments/secret-env?history=true', route: 'GET /v1/environments/:env', token: other })).body.items, []);
    assert.deepEqual((await api.call<{ items: unknown[] }>({ method: 'GET', url: '/v1/vulnerabilities/CVE-2099-0009/workloads', route: 'GET /v1/vulnerabilities/:id/workloads', token: other })).body.items, []);
    assert.equal((await api.call({ method: 'POST', url: '/v1/environments/e/images', route: 'POST /v1/environments/:env/images', token: other, payload: { image: acmeEvents.body.items[0].image.digest } })).status, 201, "other's own copy of the digest");
    // Writing needs the right scope: advisories and webhooks are admin's.
    const reader = await api.tokenFor('other', 'read');
    assert.equal((await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: reader, payload: osv('X-1', 'CVE-2099-0010', '1') })).status, 403);
    assert.equal((await api.call({ method: 'POST', url: '/v1/webhooks', route: 'POST /v1/webhooks', token: reader, payload: { url: rx.url } })).status, 403);
    assert.equal((await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: reader, payload: { environment: 'e', cluster: 'c', workloads: [] } })).status, 403);
    // The test delivery reaches acme's receiver.
    const tested = await api.call<{ ok: boolean; status: number }>({ method: 'POST', url: `${w}/test`, route: 'POST /v1/webhooks/:id/test', token: api.admin });
    assert.deepEqual([tested.body.ok, tested.body.status], [true, 200]);
    assert.match(JSON.parse(rx.received.at(-1)!.body).text, /new image pushed: scout\/webhook-test:test@sha256:0{12}/);
    // Deleting the organisation removes its events, webhooks, deliveries and workloads.
    assert.equal(await api.platform.deleteOrg(acmeOrg.id), true);
    const counts = await api.platform.tableCounts();
    assert.equal(counts.webhooks, 0);
    assert.equal(counts.webhook_deliveries, 0);
    assert.equal(counts.events, 1);
    assert.equal(counts.workloads, 1);
  });
}
