/**
 * The real `dpkg --compare-versions` as the oracle for Debian version order. dpkg is part of
 * every Debian system the tests run on; without it each pair reads 'error' and the test fails
 * rather than passing without comparing anything.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { opOf } from './conformance.js';
import { dpkgScheme } from '../../src/versions/dpkg.js';

/**
 * dpkg's answer for each pair, '<', '=' or '>', from one shell; 'error' where dpkg refuses a
 * version (exit 2). Versions it only warns about (a character it does not allow) are ordered.
 */
export function dpkgOrder(pairs: [string, string][]): string[] {
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const script = pairs
    // Exit 1 is "false"; anything else is dpkg refusing a version, reported as 'error'.
    .map(([a, b]) => `dpkg --compare-versions ${q(a)} lt ${q(b)} 2>/dev/null; r=$?; if [ $r = 0 ]; then echo '<'; elif [ $r != 1 ]; then echo error; elif dpkg --compare-versions ${q(a)} eq ${q(b)} 2>/dev/null; then echo '='; else echo '>'; fi`)
    .join('\n');
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n');
  assert.equal(out.length, pairs.length);
  return out;
}

/** The pairs on which our order differs from dpkg's, with both answers. */
export function disagreements(pairs: [string, string][]): { a: string; b: string; want: string; got: string }[] {
  const want = dpkgOrder(pairs);
  return pairs.map(([a, b], i) => ({ a, b, want: want[i], got: opOf(dpkgScheme.compare(a, b)) })).filter((m) => m.want !== m.got);
}
