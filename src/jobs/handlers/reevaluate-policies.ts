/**
 * `reevaluate-policies`: after an organisation's policy configuration changed (PUT or DELETE
 * /v1/policies), its stored images are judged again by the new configuration, a batch of
 * images per job: each batch's results, history rows and `policy.changed` events commit with
 * the job, and the job queues the next batch in the same transaction, so a crash loses no
 * batch and a large organisation never holds one long transaction.
 *
 * A job whose generation is no longer the organisation's stops: the newer change queued its own
 * chain from the first image, which judges every image by the configuration now in force.
 */
import type { Transaction } from 'kysely';
import type { DeliverPayload } from '../../store/kysely/activity-store.js';
import { readOrgPolicies } from '../../store/kysely/org-policies.js';
import type { PlatformDatabase } from '../../store/kysely/schema.js';
import type { JobHandler, SendOptions } from '../queue.js';
import type { JobsDatabase } from '../schema.js';

export interface ReevaluatePayload {
  orgId: string;
  /** The configuration generation this chain applies. */
  generation: number;
  /** The last image id of the previous batch (images go in id order). */
  after?: string;
}

export interface ReevaluateDeps {
  enqueueDeliveries: (trx: Transaction<PlatformDatabase>, payloads: DeliverPayload[]) => Promise<void>;
  send: (payload: ReevaluatePayload, opts: SendOptions) => Promise<string>;
  /** Images per job (default 200). */
  batch?: number;
}

export function reevaluatePoliciesHandler(deps: ReevaluateDeps): JobHandler<ReevaluatePayload> {
  const size = deps.batch ?? 200;
  return {
    async apply(job, jobsTrx: Transaction<JobsDatabase>) {
      const trx = jobsTrx as unknown as Transaction<PlatformDatabase>;
      const { orgId, generation, after } = job.payload;
      if ((await readOrgPolicies(trx, orgId)).generation !== generation) return;
      let q = trx.selectFrom('images').select('id').where('org_id', '=', orgId).orderBy('id').limit(size);
      if (after) q = q.where('id', '>', after);
      const ids = (await q.execute()).map((r) => r.id);
      if (!ids.length) return;
      const { evaluateStoredImages } = await import('../../platform/policy-evaluation.js');
      await evaluateStoredImages(trx, ids, { trigger: 'policy-config', enqueue: (payloads) => deps.enqueueDeliveries(trx, payloads) });
      if (ids.length === size) await deps.send({ orgId, generation, after: ids[ids.length - 1] }, { db: jobsTrx });
    },
  };
}
