/**
 * rpm's own comparison (rpm.vercmp, see rpm-oracle.ts) as the oracle for generated versions:
 * epochs, '~' pre-releases, '^' snapshots, letters against digits, separators, leading zeros and
 * digit runs longer than any integer type. rpm.tsv alone has 170 rows; these pairs reach the corners it
 * does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './conformance.js';
import { disagreements, hasRpm } from './rpm-oracle.js';
import { rpmScheme } from '../../src/versions/rpm.js';

/** A random EVR of the shapes distributions publish, always with a release (advisories carry one). */
function randomEvr(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const digits = (): string => {
    const r = random();
    if (r < 0.1) return '0'.repeat(1 + Math.floor(random() * 2)) + String(Math.floor(random() * 10));
    if (r < 0.18) return Array.from({ length: 20 + Math.floor(random() * 10) }, () => pick([...'0123456789'])).join('');
    return String(Math.floor(random() * 12));
  };
  const part = (): string => {
    let s = random() < 0.15 ? pick(['a', 'b', 'rc', 'el', 'git']) : digits();
    const n = Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const sep = pick(['.', '.', '.', '_', '+', '~', '^', '']);
      s += sep + (random() < 0.3 ? pick(['a', 'b', 'rc', 'el', 'git', 'fc', 'Z']) : '') + (random() < 0.8 ? digits() : '');
    }
    return s;
  };
  const epoch = random() < 0.25 ? `${pick(['0', '1', '2', '10', '007', '99999999999999999999'])}:` : '';
  return `${epoch}${part()}-${part()}`;
}

/** One character of `v` changed, added or dropped, so the pair shares a long prefix. */
function neighbour(v: string, random: () => number): string {
  const chars = '0123456789.~^_+a';
  const i = Math.floor(random() * (v.length + 1));
  const c = chars[Math.floor(random() * chars.length)];
  const r = random();
  if (r < 0.4) return v.slice(0, i) + c + v.slice(i);
  if (r < 0.7) return v.slice(0, i) + v.slice(i + 1);
  return v.slice(0, i) + c + v.slice(i + 1);
}

test('rpm: agrees with rpm.vercmp of the real rpm on 400 generated EVR pairs (~, ^, epochs, letters, long digit runs)', () => {
  assert.ok(hasRpm, "rpm (>= 4.16) is the oracle here and .ci/run installs it: install Debian's rpm");
  const random = seededRandom(4_18_0);
  const pairs: [string, string][] = [
    ['1.0~rc1-1', '1.0-1'],
    ['1.0^git1-1', '1.0-1'],
    ['1.0^git1-1', '1.0.1-1'],
    ['1:1.0-1', '2.0-1'],
    ['1.0a-1', '1.0.1-1'],
  ];
  while (pairs.length < 400) {
    const a = randomEvr(random);
    const b = random() < 0.4 ? randomEvr(random) : neighbour(a, random);
    if (rpmScheme.isValid(a) && rpmScheme.isValid(b)) pairs.push([a, b]);
  }
  const kinds = (s: string) => pairs.filter(([a, b]) => a.includes(s) || b.includes(s)).length;
  assert.ok(kinds('~') >= 50 && kinds('^') >= 50 && kinds(':') >= 50, `~ ${kinds('~')}, ^ ${kinds('^')}, : ${kinds(':')}`);
  assert.deepEqual(disagreements(pairs), []);
});
