/**
 * rpm's own comparison (`rpm.vercmp` in rpm's embedded Lua, rpm >= 4.16, which parses full
 * [epoch:]version-release strings) as the oracle for RPM version order. .ci/run installs
 * Debian's rpm; without it hasRpm is false and the tests fail rather than compare nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { opOf } from './conformance.js';
import { rpmScheme } from '../../src/versions/rpm.js';

export const hasRpm = spawnSync('rpm', ['--eval', '%{lua: print(rpm.vercmp("1", "2"))}'], { encoding: 'utf8' }).stdout?.trim() === '-1';

/**
 * rpm's answer for each pair, '<', '=' or '>'; 'refused' where rpm.vercmp raises an error
 * (an empty version, several ':'). One rpm process per 500 pairs: the Lua text is a command-line
 * argument, and a much longer one exceeds the kernel's limit.
 */
export function rpmOrder(pairs: [string, string][]): string[] {
  const out: string[] = [];
  for (let k = 0; k < pairs.length; k += 500) {
    const chunk = pairs.slice(k, k + 500);
    // Lua long strings need no escaping (the versions here never hold ']=]'); rpm's print() adds
    // no line break of its own.
    const lua = chunk.map(([a, b]) => `do local ok, r = pcall(rpm.vercmp, [=[${a}]=], [=[${b}]=]); print((ok and r or 'refused') .. ' ') end`).join('\n');
    const r = spawnSync('rpm', ['--eval', `%{lua:\n${lua}\n}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const words = r.stdout.trim().split(/\s+/).map((w) => (w === 'refused' ? w : opOf(Number(w))));
    assert.equal(words.length, chunk.length, r.stdout.slice(0, 300));
    out.push(...words);
  }
  return out;
}

/**
 * The pairs on which our order differs from rpm's, with both answers. A pair rpm refuses counts
 * as a difference unless `refusedOk` (malformed input, which we still order).
 */
export function disagreements(pairs: [string, string][], refusedOk = false): { a: string; b: string; want: string; got: string }[] {
  const want = rpmOrder(pairs);
  return pairs
    .map(([a, b], i) => ({ a, b, want: want[i], got: opOf(rpmScheme.compare(a, b)) }))
    .filter((d) => d.want !== d.got && !(refusedOk && d.want === 'refused'));
}
