/**
 * Array helpers that stay safe on arrays of any length. Spreading an array into a call
 * (`out.push(...xs)`, `Math.max(...xs)`) puts every element on the stack and throws a
 * RangeError somewhere past a hundred thousand elements: a big package database or a hostile
 * layer reaches that. Lint forbids spreads in calls under src/; these do the same in a loop.
 */

/** Append every item to `target` (in place) and return it. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) target.push(items[i] as T);
  } else {
    for (const x of items) target.push(x);
  }
  return target;
}

/** The largest of the numbers (`fallback` for none). */
export function maxOf(values: Iterable<number>, fallback = -Infinity): number {
  let m = fallback;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** The smallest of the numbers (`fallback` for none). */
export function minOf(values: Iterable<number>, fallback = Infinity): number {
  let m = fallback;
  for (const v of values) if (v < m) m = v;
  return m;
}
