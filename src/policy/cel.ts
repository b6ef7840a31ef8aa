/**
 * Custom policies in CEL (@marcbachmann/cel-js: zero dependencies, Node 20). An expression
 * sees the policy input's top-level fields as variables (image, packages, vulnerabilities,
 * secrets, attestations, provenance, baseImage) and gives either a bool (true: the image
 * complies) or a list of violations, each a string (what breaks the policy) or a map with
 * `subject` and `detail`. An unknown variable or a syntax error is found when the config is
 * read, before any image, and named with its line.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { PolicyInput } from './input.js';
import type { Outcome, Violation } from './types.js';

/** The variables an expression may use: the input's top-level fields. */
export const CEL_VARIABLES: readonly (keyof PolicyInput)[] = ['image', 'packages', 'vulnerabilities', 'secrets', 'attestations', 'provenance', 'baseImage'];

/** Structural limits: a policy file is configuration, not a program. */
const LIMITS = { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 };

let shared: Environment | undefined;
function environment(): Environment {
  if (!shared) {
    const env = new Environment({ homogeneousAggregateLiterals: false, limits: LIMITS });
    for (const v of CEL_VARIABLES) env.registerVariable(v, 'dyn');
    shared = env;
  }
  return shared;
}

export interface CelProblem {
  /** The message without the library's excerpt. */
  message: string;
  /** 1-based line within the expression, when the library names one. */
  line?: number;
  /** The library's excerpt: the line and a caret under the place. */
  excerpt?: string;
}

function problem(err: unknown): CelProblem {
  const text = err instanceof Error ? err.message : String(err);
  const [message, ...rest] = text.split('\n\n');
  const excerpt = rest.join('\n\n');
  const m = />\s+(\d+) \|/.exec(excerpt);
  return { message: message.trim(), ...(m ? { line: Number(m[1]) } : {}), ...(excerpt ? { excerpt } : {}) };
}

export type CompiledExpression = (input: PolicyInput) => unknown;

/** Parse and type-check; a problem (syntax, unknown variable, wrong types) instead of a throw. */
export function compileCel(expression: string): { run: CompiledExpression } | { problem: CelProblem } {
  const env = environment();
  try {
    const checked = env.check(expression);
    if (!checked.valid) return { problem: problem(checked.error) };
    const fn = env.parse(expression);
    return { run: (input) => fn(input as unknown as Record<string, unknown>) };
  } catch (err) {
    return { problem: problem(err) };
  }
}

function plain(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return JSON.stringify(Object.fromEntries(v), (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

function field(v: unknown, key: string): unknown {
  if (v instanceof Map) return v.get(key);
  if (v && typeof v === 'object') return (v as Record<string, unknown>)[key];
  return undefined;
}

/** Most violations one custom policy lists: past that it is one problem, not ten thousand. */
const MAX_VIOLATIONS = 1000;

/** Run a compiled expression: its value becomes pass/fail and violations, a runtime error `error`. */
export function runCel(run: CompiledExpression, input: PolicyInput, title: string): Outcome {
  let value: unknown;
  try {
    value = run(input);
  } catch (err) {
    const p = problem(err);
    return { status: 'error', violations: [], reason: `the expression failed: ${p.message}${p.line ? ` (line ${p.line} of the expression)` : ''}` };
  }
  if (typeof value === 'boolean') return { status: value ? 'pass' : 'fail', violations: value ? [] : [{ subject: 'image', detail: `does not meet: ${title}` }] };
  if (Array.isArray(value)) {
    const violations: Violation[] = value.slice(0, MAX_VIOLATIONS).map((v) => {
      const subject = field(v, 'subject');
      if (subject === undefined) return { subject: plain(v), detail: title };
      const detail = field(v, 'detail');
      return { subject: plain(subject), detail: detail === undefined ? title : plain(detail) };
    });
    return { status: violations.length ? 'fail' : 'pass', violations };
  }
  return { status: 'error', violations: [], reason: `the expression must give a bool (true: complies) or a list of violations, not ${value === null ? 'null' : typeof value}` };
}
