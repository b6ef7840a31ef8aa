/**
 * Evaluating the configured policies on one image's policy input, and the health score: the
 * weighted share of the policies it passes, as a grade from A to F.
 */
import { runCel } from './cel.js';
import type { PolicyConfig } from './config.js';
import type { PolicyInput } from './input.js';
import type { PolicyResult, PolicyStatus } from './types.js';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export interface HealthScore {
  /** null when no policy could be evaluated (every one unknown): no grade is better than a false one. */
  grade: Grade | null;
  /** Weighted percentage of the evaluated policies that pass (0–100). */
  score: number | null;
  passed: number;
  failed: number;
  /** Policies that could not be evaluated (missing data) or failed to run: not in the score. */
  unknown: number;
  errors: number;
}

export interface PolicyReport {
  schema: 'iechor-scout/policy@1';
  target: string;
  digest: string | null;
  evaluatedAt: string;
  results: PolicyResult[];
  health: HealthScore;
}

/** Lowest weighted pass percentage for each grade; below the last one it is F. */
export const GRADE_FLOORS: readonly [Grade, number][] = [
  ['A', 100],
  ['B', 85],
  ['C', 70],
  ['D', 50],
  ['E', 30],
];

export function healthScore(results: readonly PolicyResult[]): HealthScore {
  const count = (s: PolicyStatus) => results.filter((r) => r.status === s).length;
  const judged = results.filter((r) => r.status === 'pass' || r.status === 'fail');
  const total = judged.reduce((n, r) => n + r.weight, 0);
  const base = { passed: count('pass'), failed: count('fail'), unknown: count('unknown'), errors: count('error') };
  if (!judged.length || total === 0) return { grade: null, score: null, ...base };
  const score = Math.round((judged.filter((r) => r.status === 'pass').reduce((n, r) => n + r.weight, 0) / total) * 1000) / 10;
  const grade = GRADE_FLOORS.find(([, floor]) => score >= floor)?.[0] ?? 'F';
  return { grade, score, ...base };
}

export function evaluatePolicies(input: PolicyInput, config: PolicyConfig, opts: { target: string; now?: Date } = { target: '' }): PolicyReport {
  const now = opts.now ?? new Date();
  const results: PolicyResult[] = [];
  for (const { policy, params } of config.builtins) {
    const o = policy.evaluate(input, params, now);
    results.push({ id: policy.id, title: policy.title, kind: 'builtin', status: o.status, weight: policy.weight, violations: o.violations, fix: policy.fix, ...(o.reason ? { reason: o.reason } : {}) });
  }
  for (const c of config.custom) {
    const o = runCel(c.run, input, c.title);
    results.push({ id: c.id, title: c.title, kind: 'custom', status: o.status, weight: c.weight, violations: o.violations, fix: c.fix, ...(o.reason ? { reason: o.reason } : {}) });
  }
  return { schema: 'iechor-scout/policy@1', target: opts.target || input.image.reference, digest: input.image.digest, evaluatedAt: now.toISOString(), results, health: healthScore(results) };
}

/**
 * One word for an image (the platform's lists show it): `fail` as a gate would fail, `pass`
 * when at least one policy passes and none fails, `unknown` when none could be judged.
 */
export function overallStatus(results: readonly Pick<PolicyResult, 'status'>[]): 'pass' | 'fail' | 'unknown' {
  if (gateFails({ results })) return 'fail';
  return results.some((r) => r.status === 'pass') ? 'pass' : 'unknown';
}

/** Whether a CI gate fails: a policy failed, or a custom one could not run. */
export function gateFails(r: { results: readonly Pick<PolicyResult, 'status'>[] }): boolean {
  return r.results.some((x) => x.status === 'fail' || x.status === 'error');
}
