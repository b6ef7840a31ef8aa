import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { conformanceFailures, loadRows, seededRandom } from './conformance.js';
import { disagreements } from './dpkg-oracle.js';
import { dpkgScheme } from '../../src/versions/dpkg.js';

const rows = loadRows('dpkg.tsv');

test('dpkg: every row of dpkg.tsv holds in both directions', () => {
  assert.equal(rows.length, 441);
  assert.deepEqual(conformanceFailures(rows, dpkgScheme.compare), []);
});

test('dpkg: agrees with the real `dpkg --compare-versions` on 300 random pairs of real versions', () => {
  const strings = [...new Set(rows.flatMap((r) => [r.a, r.b]))];
  const random = seededRandom(20240611);
  const pick = (): string => strings[Math.floor(random() * strings.length)];
  const pairs: [string, string][] = [];
  for (let i = 0; i < 300; i++) pairs.push([pick(), pick()]);
  assert.deepEqual(disagreements(pairs), []);
});

/**
 * Random valid Debian versions built to stress what the table does not: epochs (large ones too),
 * upstream parts holding hyphens and colons (the revision is after the LAST '-'), tildes, plus
 * signs, letters, and digit runs longer than any integer type.
 */
function randomVersion(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const digits = (): string => {
    const r = random();
    if (r < 0.1) return '0'.repeat(1 + Math.floor(random() * 3)) + String(Math.floor(random() * 10));
    if (r < 0.2) return Array.from({ length: 20 + Math.floor(random() * 20) }, () => pick([...'0123456789'])).join('');
    return String(Math.floor(random() * 12));
  };
  const part = (seps: string): string => {
    let s = digits();
    const n = Math.floor(random() * 4);
    for (let i = 0; i < n; i++) s += pick(['', pick([...seps]), pick([...seps])]) + (random() < 0.3 ? pick(['a', 'b', 'rc', 'dfsg', 'git', 'Z']) : '') + digits();
    return s;
  };
  const epoch = random() < 0.3 ? `${pick(['0', '1', '2', '10', '99999999999999999999'])}:` : '';
  // Upstream may hold '-' only when a revision follows; a ':' only when there is an epoch.
  const revision = random() < 0.75 ? part('.+~') : undefined;
  const upstream = part(revision === undefined ? '.+~' : epoch ? '.+~-:' : '.+~-');
  return `${epoch}${upstream}${revision === undefined ? '' : `-${revision}`}`;
}

/** A near neighbour of `v`: one character changed, added or dropped, so pairs share long prefixes. */
function neighbour(v: string, random: () => number): string {
  const chars = '0123456789.+~-a';
  const i = Math.floor(random() * (v.length + 1));
  const r = random();
  if (r < 0.4) return v.slice(0, i) + chars[Math.floor(random() * chars.length)] + v.slice(i);
  if (r < 0.7) return v.slice(0, i) + v.slice(i + 1);
  return v.slice(0, i) + chars[Math.floor(random() * chars.length)] + v.slice(i + 1);
}

test('dpkg: agrees with the real `dpkg --compare-versions` on 300 generated pairs (hyphens in upstream, epochs, ~, +, long digit runs)', () => {
  const random = seededRandom(16_2026);
  const pairs: [string, string][] = [
    // The hand-picked case: the revision is after the last '-', so 1-0-5 is upstream 1-0, revision 5.
    ['1-1', '1-0-5'],
    ['1:1.0-2-1', '1:1.0-10'],
  ];
  while (pairs.length < 300) {
    const a = randomVersion(random);
    const b = random() < 0.5 ? randomVersion(random) : neighbour(a, random);
    // Both sides must be versions dpkg accepts, so its answer is an order and not an error.
    if (dpkgScheme.isValid(a) && dpkgScheme.isValid(b)) pairs.push([a, b]);
  }
  const hyphenated = pairs.filter(([a]) => a.replace(/^\d+:/, '').split('-').length > 2).length;
  assert.ok(hyphenated >= 50, `only ${hyphenated} versions with a hyphen in the upstream part`);
  assert.deepEqual(disagreements(pairs), []);
});

test('dpkg: isValid matches whether dpkg accepts the version without complaint', () => {
  // ('' is left out: the dpkg CLI reads an empty argument as "no version", not as a version.)
  const candidates = [
    '1.0', '1:2.3-4', '2.2~rc-4', '0:0', '1.0+dfsg-1ubuntu0.1', '7.4.052-1ubuntu3.1', '1.0-1-1',
    'a1.0', '1.0-', 'x:1.0', '1:', '-1', '1.0 2', '1.0_1', '1.0-1_2', ':1.0', '1:2:3',
    // dpkg reads the epoch as an int: 2147483647 is the largest it takes.
    '2147483647:1', '2147483648:1', '99999999999999999999:1',
    // An epoch is digits only; whitespace around a version is not part of it.
    // Around it, dpkg trims spaces and tabs only; its epoch reader also skips '\n' and takes '+'.
    'a1:1.0', '1a:1.0', ' 1.0', '1:2.3-4 ', '\t1.0-1\t', '1.0-1\n', '\n1.0', '1.0 -1', '\n1:1.0', '+1:1.0', '\n 1:1.0', '1:\n1.0',
  ];
  for (const v of candidates) {
    const r = spawnSync('dpkg', ['--compare-versions', v, 'eq', v], { encoding: 'utf8' });
    const accepted = r.status === 0 && r.stderr.trim() === '';
    assert.equal(dpkgScheme.isValid(v), accepted, `${JSON.stringify(v)}: dpkg says ${r.status} ${r.stderr.trim()}`);
  }
});

test('dpkg: hostile input is ordered without throwing', () => {
  const long = '1.' + '9'.repeat(100_000);
  assert.equal(dpkgScheme.compare(long, long + '0'), -1);
  assert.equal(dpkgScheme.compare('1:' + '~'.repeat(50_000), '1:'), -1);
  assert.equal(dpkgScheme.compare('\u00e9', 'e'), 1);
});
