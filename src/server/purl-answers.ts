/**
 * Local analysis answers per package URL, remembered while the advisory data is unchanged.
 *
 * Why: a CI job sends the same image's purls on every run, and images on one base share most
 * of theirs; matching 500 purls costs ~15 ms of CPU, which 100 concurrent clients cannot get.
 * Why it is exact: a purl's findings depend on the purl and the advisory data alone (local
 * analysis has no distro, no owning packages: the matcher reads nothing else of the request).
 *
 * What is kept, and where: per organisation (one organisation's requests never make another's
 * faster, which would tell it which packages others use), in this process's memory only: never
 * written, gone on restart, dropped whole when the advisory data changes (an import, by this or
 * another process: AdvisoryStore.dataGeneration) and when it grows past its bound.
 */
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { MatchFinding, MatchReply } from './analyze.js';

export type NotMatchableReply = MatchReply['notMatchable'][number];

/** What local analysis answers for one purl (shared between replies: never modified, but for the two fields of bookkeeping). */
export interface PurlAnswer {
  findings: readonly MatchFinding[];
  notMatchable?: NotMatchableReply;
  /**
   * The findings as the reply's JSON has them, UTF-8 encoded: each serialised, comma-separated,
   * without the array's brackets (empty when there are none). Filled in by the first reply that
   * needs it (it depends on the findings alone), so a remembered purl is never serialised again.
   */
  findingsJson?: Buffer;
  /** The last pass over a request's purls that took this answer (analyze.ts: a repeated purl is answered once). */
  seenIn?: number;
  /**
   * For pushes (push-answers.ts): the advisory query of the purl alone (null: it has none),
   * worked out once; and the fields of the last pushed package found to have that query, so a
   * package pushed again as it was is known to without parsing its purl again.
   */
  purlQuery?: string | null;
  pushedAs?: string;
}

/** Purls remembered over all organisations; past it everything is forgotten (simple, and rare). */
const MAX_ANSWERS = 200_000;

export class PurlAnswers {
  private generation: string | undefined;
  /** Per organisation, its purls' answers: one map each, so a lookup hashes the purl alone. */
  private readonly byOrg = new Map<string, Map<string, PurlAnswer>>();
  private size = 0;

  constructor(
    private readonly store: AdvisoryStore,
    private readonly max = MAX_ANSWERS,
  ) {}

  /** The advisory data's generation now (undefined: unknown, remember nothing); answers of an older one are dropped. */
  async current(): Promise<string | undefined> {
    let g: string;
    try {
      g = await this.store.dataGeneration();
    } catch {
      return undefined;
    }
    if (g !== this.generation) {
      this.forget();
      this.generation = g;
    }
    return g;
  }

  /** The organisation's remembered answers (read-only to callers), if it has any. */
  ofOrg(orgId: string): ReadonlyMap<string, PurlAnswer> | undefined {
    return this.byOrg.get(orgId);
  }

  get(orgId: string, purl: string): PurlAnswer | undefined {
    return this.byOrg.get(orgId)?.get(purl);
  }

  /** Remembers answers worked out under `generation`, unless the data has moved on since. */
  async remember(generation: string | undefined, orgId: string, answers: ReadonlyMap<string, PurlAnswer>): Promise<void> {
    if (generation === undefined || !answers.size || (await this.current()) !== generation) return;
    if (this.size + answers.size > this.max) this.forget();
    let mine = this.byOrg.get(orgId);
    if (!mine) this.byOrg.set(orgId, (mine = new Map()));
    for (const [purl, answer] of answers) {
      if (!mine.has(purl)) this.size++;
      mine.set(purl, answer);
    }
  }

  private forget(): void {
    this.byOrg.clear();
    this.size = 0;
  }
}
