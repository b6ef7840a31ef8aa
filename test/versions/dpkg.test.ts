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
    .map(([a, b]) => `if dpkg --compare-versions ${q(a)} lt ${q(b)}; then echo '<'; elif dpkg --compare-versions ${q(a)} eq ${q(b)}; then echo '='; else echo '>'; fi`)
    .join('\n');
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

test('dpkg: agrees with the real `dpkg --compare-versions` on 300 random pairs of real versions', { skip: !hasDpkg && 'dpkg not installed' }, () => {
  const strings = [...new Set(rows.flatMap((r) => [r.a, r.b]))];
  const random = seededRandom(20240611);
  const pick = (): string => strings[Math.floor(random() * strings.length)];
  const pairs: [string, string][] = [];
  for (let i = 0; i < 300; i++) pairs.push([pick(), pick()]);
  const want = dpkgOrder(pairs);
  assert.equal(want.length, pairs.length);
  const mismatches = pairs
    .map(([a, b], i) => ({ a, b, want: want[i], got: opOf(dpkgScheme.compare(a, b)) }))
    .filter((m) => m.want !== m.got);
  assert.deepEqual(mismatches, []);
});

test('dpkg: isValid matches whether dpkg accepts the version without complaint', { skip: !hasDpkg && 'dpkg not installed' }, () => {
  // ('' is left out: the dpkg CLI reads an empty argument as "no version", not as a version.)
  const candidates = [
    '1.0', '1:2.3-4', '2.2~rc-4', '0:0', '1.0+dfsg-1ubuntu0.1', '7.4.052-1ubuntu3.1', '1.0-1-1',
    'a1.0', '1.0-', 'x:1.0', '1:', '-1', '1.0 2', '1.0_1', '1.0-1_2', ':1.0', '1:2:3',
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
