/**
 * `analyze-image` (POST /v1/images/analyze): the server pulls an image from an allowed registry,
 * analyses it with the code `scout push` uses (src/platform/image-facts.ts, push-body.ts) and
 * stores it through the same ingest as POST /v1/images (ingestPush: matching, policies, base
 * image, the `image.pushed` event and its deliveries), for the organisation that asked.
 *
 * The pull, the analysis and the store run in `prepare`, outside the job's transaction: storing
 * commits on its own (on SQLite, inside the job's transaction it would wait for itself). That is
 * safe to repeat because the store is idempotent by digest: a worker killed after storing, whose
 * job another worker runs again, finds the digest stored and adds no second image and no second
 * event. `apply` records the stored digest as the job's result, with its completion.
 *
 * The registry is checked against this process's own allow-list (a worker may be configured
 * apart from the server that queued the job); credentials come from this process's environment
 * (SCOUT_REGISTRY_USER/PASSWORD) or its user's Docker config, never from the caller.
 * An image that cannot be read or stored fails the job at once with the error that named what
 * was wrong; the limits and budgets of every scan apply, so a hostile image fails only its job.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AdvisoryStore } from '../../store/advisory-store.js';
import type { PlatformDatabase } from '../../store/kysely/schema.js';
import type { Org } from '../../store/platform-store.js';
import { ScoutError } from '../../util/errors.js';
import { analyzeTarget, type AnalyzeRegistries } from '../../server/analyze-registries.js';
import type { EnqueueDeliveries } from '../../server/ingest.js';
import type { PurlAnswers } from '../../server/purl-answers.js';
import { PermanentJobError, type JobHandler } from '../queue.js';
import type { JobsDatabase } from '../schema.js';

export const ANALYZE_JOB = 'analyze-image';
/** A registry that is down gets a few more tries; a bad image fails at the first. */
export const ANALYZE_JOB_ATTEMPTS = 3;

export interface AnalyzePayload {
  orgId: string;
  /** As the caller gave it (checked when queued, and again by the worker). */
  reference: string;
  platform?: string;
  repository?: string;
  tags?: string[];
}

/** What GET /v1/jobs/{id} shows of a finished analysis. */
export interface AnalyzeResult {
  digest: string;
  /** False when the organisation held the digest already (nothing analysed was stored twice). */
  created: boolean;
  repository?: string;
  tags: string[];
  packages: number;
  /** Layers that could not be read: the image is stored without their packages, as push stores it. */
  incompleteLayers?: string[];
}

export interface AnalyzeDeps {
  db: Kysely<PlatformDatabase>;
  advisories: AdvisoryStore;
  registries: AnalyzeRegistries;
  enqueueDeliveries: EnqueueDeliveries;
  /**
   * This process's per-purl match answers (purl-answers.ts): in `scout server`, the memory local
   * analysis and pushes share, so an analysed image matches only the packages nobody answered yet.
   */
  answers?: PurlAnswers;
}

async function orgById(db: Kysely<PlatformDatabase>, id: string): Promise<Org | undefined> {
  const r = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, name: r.name, catalog: Number(r.catalog) === 1, retentionDays: r.retention_days, createdAt: r.created_at } : undefined;
}

/** A Scout error names what was wrong with the image or the registry: retrying cannot help, except for a registry that is unreachable. */
const TRANSIENT = new Set(['registry-unreachable', 'registry-timeout', 'registry-error']);

export function analyzeImageHandler(deps: AnalyzeDeps): JobHandler<AnalyzePayload, AnalyzeResult> {
  return {
    async prepare(job) {
      const p = job.payload;
      let target;
      try {
        target = analyzeTarget(p.reference, deps.registries, p.platform);
      } catch (err) {
        throw new PermanentJobError((err as Error).message);
      }
      const org = await orgById(deps.db, p.orgId);
      if (!org) throw new PermanentJobError(`organisation ${p.orgId} no longer exists`);
      const { imageFacts } = await import('../../platform/image-facts.js');
      const { pushBody } = await import('../../platform/push-body.js');
      const { parsePlatform } = await import('../../image/manifest.js');
      const { scanIncomplete, failedLayers } = await import('../../image/incomplete.js');
      const { ingestPush } = await import('../../server/ingest.js');
      const { KyselyOrgStore } = await import('../../store/kysely/org-store.js');
      try {
        const facts = await imageFacts(
          `registry://${target.canonical}`,
          { ...(p.platform ? { platform: parsePlatform(p.platform) } : {}), ...(target.insecure ? { insecureRegistries: [target.registry] } : {}) },
          {},
          { secrets: false },
        );
        const stored = await ingestPush(new KyselyOrgStore(deps.db, org), deps.advisories, pushBody(facts), {
          ...(p.repository ? { repository: p.repository } : {}),
          ...(p.tags?.length ? { tags: p.tags } : {}),
          enqueue: deps.enqueueDeliveries,
          ...(deps.answers ? { answers: deps.answers } : {}),
        });
        const warnings = facts.sbom.warnings;
        return {
          digest: stored.image.digest,
          created: stored.created,
          ...(stored.image.repository ? { repository: stored.image.repository } : {}),
          tags: [...stored.image.tags],
          packages: stored.image.packageCount,
          ...(scanIncomplete(warnings) ? { incompleteLayers: failedLayers(warnings) } : {}),
        };
      } catch (err) {
        if (err instanceof ScoutError && !TRANSIENT.has(err.code)) throw new PermanentJobError(`${target.canonical}: ${err.message} (${err.code})`, { cause: err });
        throw err;
      }
    },
    async apply(job, trx: Transaction<JobsDatabase>, result) {
      await trx.updateTable('jobs').set({ result: JSON.stringify(result) }).where('id', '=', job.id).execute();
    },
  };
}
