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

/** What local analysis answers for one purl (shared between replies: never modified). */
export interface PurlAnswer {
  findings: readonly MatchFinding[];
  notMatchable?: NotMatchableReply;
}

/** Purls remembered over all organisations; past it everything is forgotten (simple, and rare). */
const MAX_ANSWERS = 200_000;

export class PurlAnswers {
  private generation: string | undefined;
  private readonly answers = new Map<string, PurlAnswer>();

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
      this.answers.clear();
      this.generation = g;
    }
    return g;
  }

  get(orgId: string, purl: string): PurlAnswer | undefined {
    return this.answers.get(key(orgId, purl));
  }

  /** Remembers answers worked out under `generation`, unless the data has moved on since. */
  async remember(generation: string | undefined, orgId: string, answers: ReadonlyMap<string, PurlAnswer>): Promise<void> {
    if (generation === undefined || !answers.size || (await this.current()) !== generation) return;
    if (this.answers.size + answers.size > this.max) this.answers.clear();
    for (const [purl, answer] of answers) this.answers.set(key(orgId, purl), answer);
  }
}

function key(orgId: string, purl: string): string {
  return `${orgId}\0${purl}`;
}
