/**
 * A pushed SBOM becomes a stored image: matched against the server's advisory database, then
 * stored with its findings for one organisation. Used by POST /v1/images and by
 * `scout server catalog add`. A digest already stored is not matched again (the push is
 * idempotent: it answers with what is stored and marks the image seen), but what the push
 * brings that the stored image lacks (provenance, a secret scan) is added and its policies are
 * judged again. A new image's attestations, provenance and secret scan are stored with it,
 * its policies evaluated.
 */
import type { Sbom } from '../sbom/model.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { OnImageCreated, OrgStore, PushedAttestations, PutResult, SecretScan } from '../store/platform-store.js';
import type { StoredProvenance } from '../policy/input.js';
import { ScoutError } from '../util/errors.js';
import { redactMetadata, redactProvenance } from '../image/redact.js';
import { remaskedSecretScan } from '../secrets/stored.js';
import type { PurlAnswers } from './purl-answers.js';
import type { VexDocument } from '../match/vex.js';

/** What a push may carry besides the SBOM (`scout push` finds it beside the image). */
export interface PushExtras {
  attestations?: PushedAttestations;
  provenance?: StoredProvenance;
  secrets?: SecretScan;
}

export interface IngestOptions extends PushExtras {
  /** OpenVEX documents sent with the push (`scout push --vex-location`): they speak of this image. */
  vex?: { docs: readonly VexDocument[]; files: readonly (string | undefined)[] };
  repository?: string;
  tags?: readonly string[];
  now?: Date;
  /** Queues webhook deliveries of policy.changed events, in the push's transaction. */
  enqueue?: (trx: Parameters<OnImageCreated>[0], payloads: import('../store/kysely/activity-store.js').DeliverPayload[]) => Promise<void>;
  /** Runs in the transaction that stores a new image (see OrgStore.putImage), with where it was filed. */
  onCreated?: (trx: Parameters<OnImageCreated>[0], imageId: string, image: { digest: string; repository?: string; tags: readonly string[] }) => Promise<void>;
  /** The server's per-purl match answers (purl-answers.ts), shared with local analysis: remembered packages are not matched again. */
  answers?: PurlAnswers;
}

/** Repository and tag an image names itself, when the push does not name them. */
export function repositoryOf(sbom: Sbom): { repository?: string; tag?: string } {
  const r = sbom.image?.registry;
  if (!r?.repository) return {};
  return { repository: `${r.host}/${r.repository}`, ...(r.tag ? { tag: r.tag } : {}) };
}

export async function ingestSbom(org: OrgStore, advisories: AdvisoryStore, sbom: Sbom, opts: IngestOptions = {}): Promise<PutResult> {
  // A client that did not mask secret values in the metadata (an older one, another tool) does not get them stored.
  const metadata = sbom.image ? redactMetadata(sbom.image) : undefined;
  if (!metadata) throw new ScoutError('bad-sbom', 'the SBOM has no image metadata: push an SBOM made from an image (scout sbom IMAGE --format json)');
  const own = repositoryOf(sbom);
  const repository = opts.repository ?? own.repository;
  const tags = opts.tags?.length ? opts.tags : own.tag ? [own.tag] : [];
  if (tags.length && !repository) throw new ScoutError('bad-request', 'tags need a repository');
  const base = { metadata, packages: sbom.packages, ...(sbom.distro ? { distro: sbom.distro } : {}), ...(repository ? { repository } : {}), tags };
  // Secret values are masked where they are stored, whatever the client did.
  const extras = {
    ...(opts.attestations ? { attestations: { provenance: opts.attestations.provenance, sbom: opts.attestations.sbom } } : {}),
    ...(opts.provenance ? { provenance: redactProvenance(opts.provenance) } : {}),
    ...(opts.secrets ? { secrets: remaskedSecretScan(opts.secrets) } : {}),
  };
  const { evaluateImageFacts, evaluateStoredImages } = await import('../platform/policy-evaluation.js');
  const enqueueIn = (trx: Parameters<OnImageCreated>[0]) => {
    const enqueue = opts.enqueue;
    return enqueue ? { enqueue: (payloads: Parameters<EnqueueDeliveries>[1]) => enqueue(trx, payloads) } : {};
  };
  // Asked with one indexed read: putImage reads the stored image for the reply anyway, and a
  // re-push read it whole twice (6 queries each).
  if (await org.hasImage(metadata.digest)) {
    // What the push adds (a secret scan, provenance) may move a policy: judged again, with its event.
    const put = await org.putImage({ ...base, ...extras, findings: [] }, opts.now, undefined, async (trx, imageId) => {
      await evaluateStoredImages(trx, [imageId], { trigger: 'push', ...(opts.now ? { now: opts.now } : {}), ...enqueueIn(trx) });
    });
    // VEX sent with it decides the stored image's findings; a document it had already is the stored one.
    if (opts.vex?.docs.length) {
      await org.addVex(opts.vex.docs, { source: 'push', imageDigest: metadata.digest, files: opts.vex.files }, (trx, imageIds) =>
        evaluateStoredImages(trx, imageIds, { trigger: 'vex', ...(opts.now ? { now: opts.now } : {}), ...enqueueIn(trx) }).then(() => {}),
      );
      return { ...put, image: (await org.getImage(metadata.digest)) ?? put.image };
    }
    return put;
  }
  const { matchPush } = await import('./push-answers.js');
  const findings = await matchPush(sbom, advisories, org.org.id, opts.answers);
  const onCreated = opts.onCreated;
  return org.putImage({ ...base, ...extras, findings }, opts.now, async (trx, imageId, stored) => {
    // The policies judge the image as stored (its rows as written, not read back: the same
    // facts), in the transaction that stores it.
    const evaluate = { trigger: 'push', ...(opts.now ? { now: opts.now } : {}) } as const;
    // The findings' VEX status first (the statements of the push and the organisation's): a
    // not_affected finding is one the policies leave out. Without any, the rows as written are the facts.
    const { addVexDocuments, refreshFindingVex } = await import('../store/kysely/vex-store.js');
    const vexChanged = opts.vex?.docs.length
      ? (await addVexDocuments(trx, org.org.id, opts.vex.docs, { source: 'push', imageId, files: opts.vex.files, ...(opts.now ? { at: opts.now.toISOString() } : {}) })).changedImages.length > 0
      : (await refreshFindingVex(trx, org.org.id, { imageIds: [imageId] })).length > 0;
    await (stored && !vexChanged ? evaluateImageFacts(trx, [stored], { ...evaluate, first: true }) : evaluateStoredImages(trx, [imageId], { ...evaluate, first: true }));
    if (onCreated) await onCreated(trx, imageId, { digest: metadata.digest, ...(repository ? { repository } : {}), tags });
  });
}

/** How a stored push's webhook deliveries are queued, inside its transaction (PlatformJobs.enqueueDeliveries). */
export type EnqueueDeliveries = NonNullable<IngestOptions['enqueue']>;

/**
 * A push as POST /v1/images receives it (the body `scout push` sends, see
 * src/platform/push-body.ts) stored for the organisation `orgId`: the SBOM document read back,
 * then ingestSbom with an `image.pushed` event for a new image, committed with it, and its
 * deliveries queued in the same transaction. The server's analyze-image job stores through here
 * too, so an image analysed by the server is stored exactly as one pushed.
 */
export async function ingestPush(
  org: OrgStore,
  advisories: AdvisoryStore,
  body: Record<string, unknown>,
  opts: { repository?: string; tags?: readonly string[]; enqueue?: EnqueueDeliveries; answers?: PurlAnswers },
): Promise<PutResult> {
  const { scoutFromJson } = await import('../sbom/formats/scout-json.js');
  const { recordPushEvent } = await import('../store/kysely/activity-store.js');
  // What scout push found beside the SBOM; the rest is the SBOM document.
  const { attestations, provenance, secrets, vex, ...document } = body as PushExtras & { vex?: unknown } & Record<string, unknown>;
  // Read before anything is stored: a document the server cannot read refuses the push.
  const vexDocs = vex === undefined ? undefined : (await import('../platform/vex-input.js')).readPushedVex(vex);
  let sbom;
  try {
    sbom = scoutFromJson(document as Parameters<typeof scoutFromJson>[0]);
  } catch (err) {
    if (err instanceof ScoutError) throw new ScoutError('bad-sbom', err.message);
    throw err;
  }
  const enqueue = opts.enqueue;
  const orgId = org.org.id;
  return ingestSbom(org, advisories, sbom, {
    ...(opts.repository ? { repository: opts.repository } : {}),
    ...(opts.tags?.length ? { tags: opts.tags } : {}),
    ...(attestations ? { attestations } : {}),
    ...(provenance ? { provenance } : {}),
    ...(secrets ? { secrets } : {}),
    ...(vexDocs?.docs.length ? { vex: vexDocs } : {}),
    ...(enqueue ? { enqueue } : {}),
    ...(opts.answers ? { answers: opts.answers } : {}),
    // A new image is an `image.pushed` event, committed with the image, its deliveries with it.
    onCreated: (trx, imageId, image) => recordPushEvent(trx, orgId, imageId, image, (payloads) => (enqueue ? enqueue(trx, payloads) : Promise.resolve())),
  });
}
