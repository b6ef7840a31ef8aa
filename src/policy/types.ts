/** Policies and what evaluating one gives. */
import type { PolicyInput } from './input.js';

/**
 * `pass` / `fail`; `unknown`: the data the policy needs is missing (no base image known, the
 * layers not searched for secrets…), so it neither passes nor fails and the score leaves it out;
 * `error`: a custom expression failed while evaluating (a gate counts it as failed).
 */
export type PolicyStatus = 'pass' | 'fail' | 'unknown' | 'error';

export interface Violation {
  /** What breaks the policy: a package URL, a vulnerability on a package, a file, the image. */
  subject: string;
  detail: string;
  /** How to fix this one, when it has its own fix (the version to update to). */
  fix?: string;
}

export interface PolicyResult {
  id: string;
  title: string;
  kind: 'builtin' | 'custom';
  status: PolicyStatus;
  /** Its share of the health score. */
  weight: number;
  violations: Violation[];
  /** How to come into compliance. */
  fix: string;
  /** Why the status is unknown or error. */
  reason?: string;
}

export type ParamType = 'string[]' | 'boolean' | 'number';

export interface Outcome {
  status: PolicyStatus;
  violations: Violation[];
  reason?: string;
}

/** A built-in policy: fixed logic, parameters with defaults that a config file can change. */
export interface BuiltinPolicy {
  id: string;
  title: string;
  weight: number;
  params: Record<string, { type: ParamType; default: unknown; doc: string }>;
  fix: string;
  evaluate(input: PolicyInput, params: Record<string, unknown>, now: Date): Outcome;
}
