/**
 * How the lenient reading of malformed apk versions (osv-scalibr's, see compareLenient) treats
 * what it cannot read, and the parts only malformed versions have. apk-tools gives such
 * versions no order of its own; where it gives valid ones one, apk-grammar.test.ts checks that
 * this reading keeps it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apkScheme } from '../../src/versions/apk.js';

test('apk: in a malformed version, nothing after the first part that cannot be read counts', () => {
  // '!' ends the reading: a suffix, a hash or a revision after it is not read, whatever it is.
  assert.equal(apkScheme.compare('1.0!_rc1', '1.0!'), 0);
  assert.equal(apkScheme.compare('1.0_rc1!_p1', '1.0_rc1!'), 0);
  assert.equal(apkScheme.compare('1.0!-r2', '1.0!-r1'), 0);
  assert.equal(apkScheme.compare('1!!!-r2~ab', '1!!!-r0~ab'), 0);
  // Before it, the hash is skipped whole and the revision still counts.
  assert.equal(apkScheme.compare('1~abc-r1!', '1~def-r2!'), -1);
  // A suffix without a number counts as number 0, a letter without one as 0 (osv-scalibr).
  assert.equal(apkScheme.compare('1_rc!', '1_rc0!'), 0);
  assert.equal(apkScheme.compare('6.0.3p-r0', '6.0.3p1-r0'), -1);
  // Letters: none < a < b, whatever follows.
  assert.equal(apkScheme.compare('1.0a!', '1.0b!'), -1);
  assert.equal(apkScheme.compare('1.0b!', '1.0a!'), 1);
  assert.equal(apkScheme.compare('1.0!', '1.0a!'), -1);
  // A string without a leading number against one with: older, from both sides.
  assert.equal(apkScheme.compare('v9', '1'), -1);
  assert.equal(apkScheme.compare('1', 'x'), 1);
});
