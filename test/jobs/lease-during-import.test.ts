// A job's lease while a long advisory import holds the SQLite file (the server's in-process write
// gate, src/store/sqlite/write-gate.ts): the queue's claims and the job's heartbeats, like every
// write, wait at the gate for the import's commit. A lease must not run out because of that
// wait: the job is alive in this very process. It did for a claim that waited: its deadline was
// reckoned when it began waiting (already past once written), and the queue's next reclaim took
// the job it had just started for a dead worker's ('worker lost: lease expired') and ran it again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Advisory } from '../../src/advisories/model.js';
import type { AdvisoryStore, StoreImportCounts } from '../../src/store/advisory-store.js';
import { InlineJobQueue } from '../../src/jobs/inline-queue.js';
import type { JobOutcome } from '../../src/jobs/queue.js';
import { migrateJobs, type JobsDatabase } from '../../src/jobs/schema.js';
import type { TableQueueOptions } from '../../src/jobs/table-queue.js';
import { openServerStores } from '../../src/server/main.js';
import { npmAdvisory } from '../helpers/osv-record.js';
import { tempDir } from '../helpers/tmp.js';

const LEASE_MS = 600;
/** Records of the import, one every 25 ms: the import holds the file about 3 leases long. */
const RECORDS = 80;

/** The server's stores on a new SQLite file and a queue over its platform database, with a short lease. */
async function serverQueue(t: { after: (fn: () => Promise<void>) => void }, opts: TableQueueOptions = {}) {
  const dataDir = tempDir();
  const { platform, advisories } = await openServerStores({ dataDir, database: { kind: 'sqlite', path: join(dataDir, 'scout.db') } });
  const db = platform.db as unknown as Kysely<JobsDatabase>;
  await migrateJobs(db, 'sqlite');
  const queue = new InlineJobQueue(db, { leaseMs: LEASE_MS, pollMs: 20, ...opts });
  t.after(async () => {
    await queue.stop(2000);
    await platform.close();
    await advisories.close();
  });
  return { db, queue, advisories };
}

/** A replace import of RECORDS records trickling in: its transaction holds the file all along. */
function slowImport(advisories: AdvisoryStore, source: string, onRecord: (n: number) => void): Promise<StoreImportCounts> {
  async function* slowFeed(): AsyncGenerator<Advisory> {
    for (let i = 0; i < RECORDS; i++) {
      await sleep(25);
      onRecord(i + 1);
      yield await npmAdvisory(`GHSA-${source}-${String(i).padStart(4, '0')}`, `${source}-pkg-${i}`, '9.0.0', 'imported slowly');
    }
  }
  return advisories.importBatch({ kind: 'advisories', source: { name: source, kind: 'advisories' }, mode: 'replace', records: slowFeed() });
}

/** Once the queue is idle, the job ran exactly once: done at its first attempt, prepared once, one outcome. */
async function assertRanOnce(
  db: Kysely<JobsDatabase>,
  queue: InlineJobQueue,
  kind: string,
  id: string,
  prepared: string[],
  outcomes: JobOutcome[],
) {
  await queue.idle([kind], 30_000);
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(
    { state: row.state, attempts: row.attempts, lastError: row.last_error },
    { state: 'done', attempts: 1, lastError: null },
    'the job was never taken for a dead worker\'s',
  );
  assert.deepEqual(prepared, [id], 'prepared once');
  assert.deepEqual(outcomes.map((o) => [o.id, o.ok, o.attempt]), [[id, true, 1]]);
}

test('sqlite: a job running through a long advisory import keeps its lease: one attempt, prepared once, committed', async (t) => {
  const { db, queue, advisories } = await serverQueue(t);
  let importDone = false;
  const prepared: string[] = [];
  const outcomes: JobOutcome[] = [];
  queue.onOutcome((o) => outcomes.push(o));
  // Works until the import is over and a little beyond (its heartbeat renews throughout).
  queue.work<Record<string, never>, void>('long-work', {
    async prepare(job) {
      prepared.push(job.id);
      while (!importDone) await sleep(10);
      await sleep(LEASE_MS);
    },
    async apply() {},
  });
  const id = await queue.send('long-work', {});
  await queue.start();
  while (!prepared.length) await sleep(5);

  const started = Date.now();
  const counts = await slowImport(advisories, 'long', () => {});
  importDone = true;
  const importMs = Date.now() - started;
  assert.equal(counts.inserted, RECORDS);
  assert.ok(importMs > 2 * LEASE_MS, `the import held the file longer than the lease (${importMs} ms)`);

  await assertRanOnce(db, queue, 'long-work', id, prepared, outcomes);
});

test('sqlite: a job claimed while a long advisory import holds the file keeps its lease: one attempt, prepared once', async (t) => {
  // The queue looks for dead workers' jobs once a second: it did just now, as it started.
  const { db, queue, advisories } = await serverQueue(t, { reclaimMs: 1000 });
  const prepared: string[] = [];
  const outcomes: JobOutcome[] = [];
  queue.onOutcome((o) => outcomes.push(o));
  await queue.start();
  const id = await queue.send('waiting-work', {});
  let records = 0;
  const importing = slowImport(advisories, 'claim', (n) => (records = n));
  while (records < 3) await sleep(5);
  // A handler for the waiting job from now on: the queue claims it at once, and the claim
  // waits out the import at the gate (as one does whenever a job falls due during an import).
  queue.work<Record<string, never>, void>('waiting-work', {
    async prepare(job) {
      prepared.push(job.id);
      // Longer than the lease (the heartbeat keeps it), so a reclaim has time to strike.
      await sleep(2 * LEASE_MS);
    },
    async apply() {},
  });
  const counts = await importing;
  assert.equal(counts.inserted, RECORDS);
  await assertRanOnce(db, queue, 'waiting-work', id, prepared, outcomes);
});
