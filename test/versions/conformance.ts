/**
 * Loads the comparison vectors of test/fixtures/versions/<scheme>.tsv (copied from
 * /work/shared/conformance/versions; header `a op b`, op one of < = >).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ComparisonRow {
  line: number;
  a: string;
  op: '<' | '=' | '>';
  b: string;
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/versions/${name}`, import.meta.url));
}

export function loadRows(file: string): ComparisonRow[] {
  const lines = readFileSync(fixturePath(file), 'utf8').split('\n');
  if (lines[0] !== 'a\top\tb') throw new Error(`${file}: unexpected header ${JSON.stringify(lines[0])}`);
  const rows: ComparisonRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cols = lines[i].split('\t');
    if (cols.length !== 3 || !['<', '=', '>'].includes(cols[1])) throw new Error(`${file}:${i + 1}: bad row`);
    rows.push({ line: i + 1, a: cols[0], op: cols[1] as ComparisonRow['op'], b: cols[2] });
  }
  return rows;
}

export function opOf(n: number): '<' | '=' | '>' {
  return n < 0 ? '<' : n > 0 ? '>' : '=';
}

const MIRROR = { '<': '>', '=': '=', '>': '<' } as const;

/**
 * Every row checked in both directions; returns the failures as readable lines so a test can
 * assert the list is empty and show all of them at once.
 */
export function conformanceFailures(rows: ComparisonRow[], compare: (a: string, b: string) => number): string[] {
  const failures: string[] = [];
  for (const r of rows) {
    for (const [x, y, want] of [[r.a, r.b, r.op], [r.b, r.a, MIRROR[r.op]]] as const) {
      let got: string;
      try {
        got = opOf(compare(x, y));
      } catch (err) {
        got = `threw ${(err as Error).message}`;
      }
      if (got !== want) failures.push(`line ${r.line}: ${x} ${want} ${y}, got ${got}`);
    }
  }
  return failures;
}

/** Small seeded PRNG (mulberry32) so property tests draw the same pairs on every run. */
export function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
