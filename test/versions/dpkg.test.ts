import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { conformanceFailures, loadRows, opOf, seededRandom } from './conformance.js';
import { dpkgScheme } from '../../src/versions/dpkg.js';

const rows = loadRows('dpkg.tsv');
const hasDpkg = spawnSync('dpkg', ['--version'], { encoding: 'utf8' }).status === 0;

test('dpkg: every row of dpkg.tsv holds in both directions', () => {
  assert.equal(rows.length, 441);
  assert.deepEqual(conformanceFailures(rows, dpkgScheme.compare), []);
});

/** Runs `dpkg --compare-versions` on many pairs in one shell; returns '<', '=' or '>' per pair. */
function dpkgOrder(pairs: [string, string][]): string[] {
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const script = pairs
    // Exit 1 is "false"; anything else is dpkg refusing a version, reported as 'error'.
    .map(([a, b]) => `dpkg --compare-versions ${q(a)} lt ${q(b)} 2>/dev/null; r=$?; if [ $r = 0 ]; then echo '<'; elif [ $r != 1 ]; then echo error; elif dpkg --compare-versions ${q(a)} eq ${q(b)}; then echo '='; else echo '>'; fi`)
    .join('\n');
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

/** The pairs on which our order differs from dpkg's, with both answers. */
function disagreements(pairs: [string, string][]): { a: string; b: string; want: string; got: string }[] {
  const want = dpkgOrder(pairs);
  assert.equal(want.length, pairs.length);
  return pairs.map(([a, b], i) => ({ a, b, want: want[i], got: opOf(dpkgScheme.compare(a, b)) })).filter((m) => m.want !== m.got);
}

test('dpkg: agrees with the real `dpkg --compare-versions` on 300 random pairs of real versions', { skip: !hasDpkg && 'dpkg not installed' }, () => {
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

test('dpkg: agrees with the real `dpkg --compare-versions` on 300 generated pairs (hyphens in upstream, epochs, ~, +, long digit runs)', { skip: !hasDpkg && 'dpkg not installed' }, () => {
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

test('dpkg: isValid matches whether dpkg accepts the version without complaint', { skip: !hasDpkg && 'dpkg not installed' }, () => {
  // ('' is left out: the dpkg CLI reads an empty argument as "no version", not as a version.)
  const candidates = [
    '1.0', '1:2.3-4', '2.2~rc-4', '0:0', '1.0+dfsg-1ubuntu0.1', '7.4.052-1ubuntu3.1', '1.0-1-1',
    'a1.0', '1.0-', 'x:1.0', '1:', '-1', '1.0 2', '1.0_1', '1.0-1_2', ':1.0', '1:2:3',
    // dpkg reads the epoch as an int: 2147483647 is the largest it takes.
    '2147483647:1', '2147483648:1', '99999999999999999999:1',
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
