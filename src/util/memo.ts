/**
 * Remember parses of version strings: matching compares the same few strings (an installed
 * version against every event of every range) many times. Parsed values must be immutable.
 * Bounded: when full the memory is cleared rather than tracked per entry.
 */
export function memoizeParse<T>(parse: (v: string) => T, max = 20_000): (v: string) => T {
  const memo = new Map<string, T>();
  return (v: string) => {
    let r = memo.get(v);
    if (r === undefined && !memo.has(v)) {
      r = parse(v);
      if (memo.size >= max) memo.clear();
      memo.set(v, r);
    }
    return r as T;
  };
}
