// On the embedded SQLite default the advisory store and the platform store are two connections
// to one file in one process. An advisory import holds its write transaction across awaits (it
// is streamed, all or nothing); a push meanwhile used to sleep the event loop in busy_timeout
// (the importer, on the same thread, could never commit) and then fail "database is locked".
// With the file's write gate (src/store/sqlite/write-gate.ts) the push awaits the import's
// commit: proven here with a slow real import, a real push over HTTP and the job queue polling
// (its claims write too), while a timer measures how long the event loop was ever held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Advisory } from '../../src/advisories/model.js';
import { npmAdvisory } from '../helpers/osv-record.js';
import { gzipJson, testApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';

const RECORDS = 40;

const advisory = (i: number): Promise<Advisory> =>
  npmAdvisory(`GHSA-slow-${String(i).padStart(4, '0')}-test`, `slow-pkg-${i}`, '9.0.0', 'imported slowly');

test('sqlite: a push during a long advisory import waits for its commit without blocking the event loop; both are stored', async (t) => {
  const api = await testApi('sqlite', t, { jobs: {} });
  const sbom = JSON.parse(writeScoutJson(await demoImageSbom())) as { image: { digest: string } };
  let yielded = 0;
  // A feed that trickles in: the import's transaction stays open across ~1 s of awaits.
  async function* slowFeed(): AsyncGenerator<Advisory> {
    for (let i = 0; i < RECORDS; i++) {
      await sleep(25);
      yielded++;
      yield await advisory(i);
    }
  }

  let last = performance.now();
  let largestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    largestGap = Math.max(largestGap, now - last);
    last = now;
  }, 10);
  t.after(() => clearInterval(ticker));

  let importDone = false;
  const importing = api.advisories
    .importBatch({ kind: 'advisories', source: { name: 'slow-feed', kind: 'advisories' }, mode: 'replace', records: slowFeed() })
    .then((counts) => {
      importDone = true;
      return counts;
    });
  while (yielded < 3) await sleep(5);
  assert.equal(importDone, false, 'the import is still in its transaction when the push starts');

  // Straight through the app (not api.call, which checks the reply's schema first): a 500 names its error here.
  const pushing = api.app.inject({
    method: 'POST',
    url: '/v1/images?repository=gate/app&tag=1',
    payload: gzipJson(sbom),
    headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
  });
  // Meanwhile the platform still answers reads: the waiting push does not hold its connection,
  // and the token's last-used stamp is not awaited.
  await sleep(50);
  const listed = await api.call<{ items: unknown[] }>({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: api.admin });
  assert.equal(listed.status, 200);
  assert.equal(importDone, false, 'the read was answered during the import');
  const pushed = await pushing;
  const counts = await importing;
  clearInterval(ticker);

  assert.equal(pushed.statusCode, 201, `the push succeeds: ${pushed.body}`);
  assert.equal(counts.inserted, RECORDS, 'every record of the import is stored');
  assert.equal(yielded, RECORDS);
  // The busy timeout is 5 s; a held thread shows as a gap of about that. Generous on a loaded machine.
  assert.ok(largestGap < 1000, `the event loop was never held (largest gap between 10 ms ticks: ${largestGap.toFixed(0)} ms)`);

  const stored = await api.call<{ digest: string }>({ method: 'GET', url: `/v1/images/${sbom.image.digest}`, route: 'GET /v1/images/:digest', token: api.admin });
  assert.equal(stored.status, 200);
  assert.equal(stored.body.digest, sbom.image.digest);
  assert.equal((await api.advisories.get((await advisory(RECORDS - 1)).id))?.summary, 'imported slowly');
  assert.equal((await api.advisories.lookup('npm', 'slow-pkg-1')).length, 1);
});
