/**
 * `scout recommendations IMAGE`: other tags of the base image's repository, best first. The
 * order is the issue's: fewer fixable critical and high vulnerabilities, then the same OS family
 * as the current base, then newer, then smaller. Each candidate carries the reasons it compares
 * better (or worse) than the current base, in words, so the CLI prints why.
 */
import type { BaseImageMatch } from '../store/platform-store.js';

/** A stored image of the base image's repository, as ranking needs it. */
export interface BaseCandidate {
  digest: string;
  repository?: string;
  /** Its current tags (a candidate has at least one). */
  tags: string[];
  /** OS family: the os-release ID (debian, alpine, …), when known. */
  osFamily?: string;
  osVersion?: string;
  /** Image creation time (ISO), when known. */
  created?: string;
  /** Compressed size in bytes. */
  size: number;
  /** Open findings with a fixed version, critical and high. */
  fixable: { critical: number; high: number };
}

export interface Recommendation extends BaseCandidate {
  /** Why this tag compares as it does with the current base, most important first. */
  reasons: string[];
  /** Fewer fixable critical+high than the current base. */
  better: boolean;
}

export interface Recommendations {
  /** The image's base image, and the same facts about it the candidates have. */
  base?: BaseImageMatch & { current: BaseCandidate };
  recommendations: Recommendation[];
}

const fixableOf = (c: BaseCandidate) => c.fixable.critical + c.fixable.high;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function reasonsFor(c: BaseCandidate, current: BaseCandidate): string[] {
  const out: string[] = [];
  const d = fixableOf(current) - fixableOf(c);
  const counts = (x: BaseCandidate) => `${x.fixable.critical} critical, ${x.fixable.high} high`;
  if (d > 0) out.push(`${d} fewer fixable critical/high vulnerabilities (${counts(c)}; now ${counts(current)})`);
  else if (d < 0) out.push(`${-d} more fixable critical/high vulnerabilities (${counts(c)}; now ${counts(current)})`);
  else out.push(`as many fixable critical/high vulnerabilities (${counts(c)})`);
  if (c.osFamily && current.osFamily) {
    const os = (x: BaseCandidate) => [x.osFamily, x.osVersion].filter(Boolean).join(' ');
    out.push(c.osFamily === current.osFamily ? `same OS family (${os(c)})` : `different OS family (${os(c)}; now ${os(current)})`);
  }
  if (c.created && current.created && c.created !== current.created) {
    out.push(c.created > current.created ? `newer (created ${c.created.slice(0, 10)}; now ${current.created.slice(0, 10)})` : `older (created ${c.created.slice(0, 10)}; now ${current.created.slice(0, 10)})`);
  }
  if (c.size !== current.size) out.push(c.size < current.size ? `smaller by ${mb(current.size - c.size)} (${mb(c.size)})` : `larger by ${mb(c.size - current.size)} (${mb(c.size)})`);
  return out;
}

/** Candidates ranked best first, each with its reasons against the current base. */
export function rankCandidates(current: BaseCandidate, candidates: readonly BaseCandidate[]): Recommendation[] {
  const family = (c: BaseCandidate) => (current.osFamily !== undefined && c.osFamily === current.osFamily ? 0 : 1);
  return [...candidates]
    .sort((a, b) =>
      fixableOf(a) - fixableOf(b)
      || a.fixable.critical - b.fixable.critical
      || family(a) - family(b)
      || (b.created ?? '').localeCompare(a.created ?? '')
      || a.size - b.size
      || a.digest.localeCompare(b.digest))
    .map((c) => ({ ...c, reasons: reasonsFor(c, current), better: fixableOf(c) < fixableOf(current) }));
}
