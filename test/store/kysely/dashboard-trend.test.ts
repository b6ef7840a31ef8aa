/**
 * The overview's trend on both backends: findings open at the end of each day. The store walks
 * back from today's stored counts through the findings opened and closed inside the window; the
 * test counts the same from every finding row, by the definition (first seen by the end of the
 * day, not fixed or withdrawn by then), over images pushed on different days, some before the
 * window, with findings fixed and withdrawn on later days, as a re-match writes them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SEVERITY_LEVELS } from '../../../src/match/severity.js';
import { refreshImageCounts } from '../../../src/store/kysely/image-counts.js';
import type { KyselyPlatformStore } from '../../../src/store/kysely/platform-store.js';
import type { TrendPoint } from '../../../src/store/dashboard-reader.js';
import { BACKENDS, freshPlatformStore } from '../../helpers/platform-db.js';
import { uploadOf } from '../../helpers/platform-upload.js';

const NOW = new Date('2026-03-20T15:00:00Z');
const daysAgo = (n: number, hour = 10) => new Date(Date.UTC(2026, 2, 20 - n, hour));

/** The trend by its definition, from every finding row of the organisation. */
async function trendByDefinition(store: KyselyPlatformStore, orgId: string, dates: string[]): Promise<TrendPoint[]> {
  const rows = await store.db.selectFrom('findings').select(['severity', 'first_seen_at', 'fixed_at', 'withdrawn_at']).where('org_id', '=', orgId).execute();
  return dates.map((date) => {
    const counts = Object.fromEntries(SEVERITY_LEVELS.map((s) => [s, 0])) as TrendPoint['counts'];
    for (const r of rows) {
      const closed = r.fixed_at ?? r.withdrawn_at;
      if (r.first_seen_at.slice(0, 10) <= date && !(closed && closed.slice(0, 10) <= date)) counts[r.severity as keyof typeof counts]++;
    }
    return { date, counts };
  });
}

/** Closes a finding on a day, as a re-match does: the row, then the image's stored counts. */
async function close(store: KyselyPlatformStore, vulnerabilityId: string, how: 'fixed_at' | 'withdrawn_at', at: Date): Promise<void> {
  const rows = await store.db.selectFrom('findings').select('image_id').where('vulnerability_id', '=', vulnerabilityId).execute();
  assert.ok(rows.length > 0, `${vulnerabilityId} is stored`);
  await store.db.updateTable('findings').set({ [how]: at.toISOString() }).where('vulnerability_id', '=', vulnerabilityId).execute();
  await refreshImageCounts(store.db, rows.map((r) => r.image_id));
}

for (const backend of BACKENDS) {
  describe(`overview trend on ${backend}`, () => {
    test('open findings per day, walked back from the stored counts, equal the count by definition', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = await store.ensureOrg('acme');
      const org = store.forOrg(acme);
      const libc = 'pkg:deb/debian/libc6@2.36-9?distro=debian-12';
      const lodash = 'pkg:npm/lodash@4.17.15';
      const qs = 'pkg:npm/qs@6.7.0';
      // 45 days ago, outside a 30-day window: its findings are open all through it.
      await org.putImage(uploadOf({ layers: ['os'], purls: [libc], findings: [[libc, 'CVE-2024-0001', 'medium'], [libc, 'CVE-2024-0002', 'low']], repository: 'base', tags: ['1'] }), daysAgo(45));
      await org.putImage(uploadOf({ layers: ['os', 'a'], purls: [libc, lodash], findings: [[libc, 'CVE-2024-0001', 'medium'], [lodash, 'CVE-2021-23337', 'critical'], [lodash, 'CVE-2020-8203', 'high']], repository: 'web', tags: ['1'] }), daysAgo(12));
      await org.putImage(uploadOf({ layers: ['os', 'b'], purls: [libc, qs], findings: [[qs, 'CVE-2022-24999', 'high'], [qs, 'GHSA-odd-1', 'unknown']], repository: 'web', tags: ['2'] }), daysAgo(5, 23));
      await org.putImage(uploadOf({ layers: ['os', 'c'], purls: [lodash], findings: [[lodash, 'CVE-2021-23337', 'critical']], repository: 'web', tags: ['3'] }), daysAgo(0, 1));
      await close(store, 'CVE-2020-8203', 'fixed_at', daysAgo(8));
      await close(store, 'CVE-2024-0002', 'withdrawn_at', daysAgo(40));
      await close(store, 'GHSA-odd-1', 'withdrawn_at', daysAgo(2, 0));
      // Another organisation's findings, opened and closed in the window, count for it alone.
      const globex = store.forOrg(await store.ensureOrg('globex'));
      await globex.putImage(uploadOf({ layers: ['os', 'g'], purls: [qs], findings: [[qs, 'CVE-2022-24999', 'high']], repository: 'g', tags: ['1'] }), daysAgo(3));

      const o = await org.dashboard.overview(NOW, 30);
      assert.equal(o.trend.length, 30, 'findings older than the window: the trend fills all 30 days');
      assert.equal(o.trend[0]!.date, '2026-02-19');
      assert.equal(o.trend.at(-1)!.date, '2026-03-20');
      assert.deepEqual(o.trend, await trendByDefinition(store, acme.id, o.trend.map((p) => p.date)));
      assert.deepEqual(o.trend.at(-1)!.counts, o.vulnerabilities, 'today is the open count now');
      // The changes happened where the data says: +2 twelve days ago, −1 eight days ago …
      const on = (n: number) => o.trend.find((p) => p.date === daysAgo(n).toISOString().slice(0, 10))!.counts;
      assert.equal(on(13).critical + on(13).high, 0);
      assert.equal(on(12).critical + on(12).high, 2);
      assert.equal(on(8).high, 0, 'fixed eight days ago');
      assert.equal(on(5).unknown, 1);
      assert.equal(on(2).unknown, 0, 'withdrawn two days ago');

      const week = await org.dashboard.overview(NOW, 7);
      assert.deepEqual(week.trend, o.trend.slice(-7), 'a shorter window is the tail of a longer one');

      const g = await globex.dashboard.overview(NOW, 30);
      assert.equal(g.trend.length, 4, 'from the first day the organisation saw a finding');
      assert.deepEqual(g.trend, await trendByDefinition(store, (await store.orgByName('globex'))!.id, g.trend.map((p) => p.date)));

      const empty = store.forOrg(await store.ensureOrg('initech'));
      assert.deepEqual((await empty.dashboard.overview(NOW, 30)).trend, []);
    });
  });
}
