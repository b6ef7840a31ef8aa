/**
 * The platform evaluates every image's policies when it is pushed and again after each
 * re-match, in the transaction that changed the image: results and history commit with the
 * change, and a `policy.changed` event (with its webhook deliveries) when a policy's status
 * moved. The facts are read back from what the push stored (one path for push and re-match, so
 * the two always judge the same data alike); the base image is the one the provenance names,
 * else the layer match, as the image's detail answers.
 *
 * The organisation's policies are its stored configuration (PUT /v1/policies), else the
 * built-in ones with their default parameters.
 */
import type { Kysely, Transaction } from 'kysely';
import { chainIds } from '../image/chain-id.js';
import type { EventEnvironment, ScoutEvent } from '../notify/events.js';
import { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig } from '../policy/config.js';
import { evaluatePolicies, overallStatus } from '../policy/evaluate.js';
import { policyInput } from '../policy/input.js';
import { environmentsOf, recordEvents, type DeliverPayload } from '../store/kysely/activity-store.js';
import { chunks } from '../store/kysely/dialect.js';
import { layerBaseImages } from '../store/kysely/org-store.js';
import { recordPolicyReports, storedPolicyFacts, type PolicyReportOf, type StoredImageFacts } from '../store/kysely/policy-store.js';
import { readOrgPolicies } from '../store/kysely/org-policies.js';
import { provenanceBases } from '../store/kysely/supply-chain.js';
import type { PlatformDatabase } from '../store/kysely/schema.js';
import type { BaseImageMatch, PolicyHistoryEntry } from '../store/platform-store.js';
import { uuidv7 } from '../util/uuid7.js';

export interface EvaluateOptions {
  trigger: PolicyHistoryEntry['trigger'];
  now?: Date;
  /** The images were stored in this transaction (a push's new image): none has an evaluation yet. */
  first?: boolean;
  /** Queues webhook deliveries of the events, in the same transaction. */
  enqueue?: (payloads: DeliverPayload[]) => Promise<void>;
}

/** What PUT /v1/policies files name the stored configuration as, in its errors. */
export const ORG_POLICY_FILE = 'policies';

/**
 * The policies an organisation's images are judged by: its stored configuration, else the
 * built-in defaults. A stored configuration was checked when it was saved; one that no longer
 * reads (a later version renamed a policy) must not stop pushes, so it falls back to the
 * defaults and says why (GET /v1/policies shows the problem).
 */
export async function policiesOf(db: Kysely<PlatformDatabase> | Transaction<PlatformDatabase>, orgId: string): Promise<{ config: PolicyConfig; problem?: string }> {
  const stored = await readOrgPolicies(db, orgId);
  if (stored.config === null) return { config: defaultPolicyConfig() };
  try {
    return { config: parsePolicyConfig(stored.config, ORG_POLICY_FILE) };
  } catch (err) {
    return { config: defaultPolicyConfig(), problem: (err as Error).message };
  }
}

/** Evaluates these stored images (of any organisations), stores the results, and records an event per change. */
export async function evaluateStoredImages(trx: Transaction<PlatformDatabase>, imageIds: readonly string[], opts: EvaluateOptions): Promise<number> {
  if (!imageIds.length) return 0;
  return evaluateImageFacts(trx, await storedPolicyFacts(trx, imageIds), opts);
}

/**
 * Evaluates images given as storedPolicyFacts reads them (a push hands over the rows it has just
 * written, OrgStore.putImage's `stored`), stores the results, and records an event per change.
 *
 * Set-based: a re-match judges hundreds of images in one transaction, so what the policies
 * read besides the stored facts (the organisation's configuration, the base image its
 * provenance names or its layers match, where it runs) is read per organisation for all its
 * images at once, the images are judged in memory, and the results, history and events are
 * written in multi-row statements. Each image is judged as it would be alone.
 */
export async function evaluateImageFacts(trx: Transaction<PlatformDatabase>, stored: readonly StoredImageFacts[], opts: EvaluateOptions): Promise<number> {
  if (!stored.length) return 0;
  const now = opts.now ?? new Date();
  const byOrg = new Map<string, StoredImageFacts[]>();
  for (const s of stored) {
    const list = byOrg.get(s.orgId);
    if (list) list.push(s);
    else byOrg.set(s.orgId, [s]);
  }
  // Each image's report, in the order the images came.
  const reports = new Map<StoredImageFacts, PolicyReportOf>();
  for (const [orgId, images] of byOrg) {
    const { config } = await policiesOf(trx, orgId);
    // Provenance names the base; a stored image tells whether a tag still points at it: the
    // one with the named digest, else the layer match.
    // Only provenance that names a base digest names one (provenanceBases reads nothing else).
    const naming = images.filter((s) => s.facts.provenance?.baseImage?.digest !== undefined);
    const named = naming.length ? await provenanceBases(trx, orgId, naming.map((s) => s.imageId)) : new Map<string, BaseImageMatch>();
    const fromProvenance = new Map(naming.map((s) => [s, named.get(s.imageId)]));
    const byLayers = images.filter((s) => fromProvenance.get(s)?.layers === undefined);
    const layerBases = await layerBaseImages(trx, orgId, byLayers.map((s) => chainIds(s.metadata.layers.map((l) => l.diffId))));
    const fromLayers = new Map(byLayers.map((s, i) => [s, layerBases[i]]));
    for (const s of images) {
      const layerBase = fromProvenance.get(s)?.layers !== undefined ? fromProvenance.get(s) : fromLayers.get(s);
      const input = policyInput({ ...s.facts, ...(layerBase ? { layerBase } : {}) });
      const report = evaluatePolicies(input, config, { target: s.repository ?? s.digest, now });
      reports.set(s, { orgId, imageId: s.imageId, report, status: overallStatus(report.results) });
    }
  }
  const ordered = stored.map((s) => reports.get(s)!);
  const changes = await recordPolicyReports(trx, ordered, opts.trigger, opts.first);
  const changed: { orgId: string; imageId: string; digest: string; repository?: string; policy: NonNullable<ScoutEvent['policy']> }[] = [];
  for (const [i, s] of stored.entries()) {
    const change = changes[i];
    if (!change) continue;
    changed.push({
      orgId: s.orgId,
      imageId: s.imageId,
      digest: s.digest,
      ...(s.repository ? { repository: s.repository } : {}),
      policy: { status: change.current.status, previousStatus: change.previous.status, grade: change.current.grade, previousGrade: change.previous.grade, policies: change.policies },
    });
  }
  if (!changed.length) return 0;
  const tags = new Map<string, string[]>();
  for (const c of chunks(changed.map((x) => x.imageId), 500)) {
    for (const r of await trx.selectFrom('tags').select(['image_id', 'name']).where('image_id', 'in', c).where('until_at', 'is', null).orderBy('name').execute()) tags.set(r.image_id, [...(tags.get(r.image_id) ?? []), r.name]);
  }
  // Where each changed image runs: one read per organisation.
  const environments = new Map<string, Map<string, EventEnvironment[]>>();
  for (const orgId of new Set(changed.map((c) => c.orgId))) environments.set(orgId, await environmentsOf(trx, orgId, changed.filter((c) => c.orgId === orgId).map((c) => c.digest)));
  const events = changed.map((c) => {
    const event: ScoutEvent = {
      id: uuidv7(),
      kind: 'policy.changed',
      createdAt: now.toISOString(),
      image: { digest: c.digest, ...(c.repository ? { repository: c.repository } : {}), tags: tags.get(c.imageId) ?? [] },
      policy: c.policy,
      environments: environments.get(c.orgId)!.get(c.digest) ?? [],
    };
    return { orgId: c.orgId, imageId: c.imageId, event };
  });
  await recordEvents(trx, events, opts.enqueue ?? (() => Promise.resolve()));
  return events.length;
}
