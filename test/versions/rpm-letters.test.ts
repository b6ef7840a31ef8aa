/**
 * The ends of the letter ranges ('A', 'Z', 'a', 'z') against each other, digits and
 * separators, ordered by rpm.vercmp: rpm counts only ASCII letters and digits, so the
 * characters just outside ('@', '[', '`'; '|' standing in for '{', which rpm's macro
 * expansion would read) are separators.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disagreements, hasRpm } from './rpm-oracle.js';

test('rpm: each letter at the end of its range orders against every other character as rpm.vercmp orders it', () => {
  assert.ok(hasRpm, "rpm (>= 4.16) is the oracle here and .ci/run installs it: install Debian's rpm");
  const chars = ['A', 'Z', 'a', 'z', '@', '[', '`', '|', '0', '9', '.'];
  const versions = chars.flatMap((c) => [`1${c}-1`, `1.${c}1-1`]);
  const pairs: [string, string][] = [];
  for (let i = 0; i < versions.length; i++) for (let j = i + 1; j < versions.length; j++) pairs.push([versions[i], versions[j]]);
  assert.equal(pairs.length, 231);
  assert.deepEqual(disagreements(pairs), []);
});
