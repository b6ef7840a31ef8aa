/**
 * Every kind of character a Debian version can hold, ordered against every other by the real
 * dpkg: the weights of dpkg's order() at their edges ('A', 'Z', 'a', 'z' against punctuation,
 * '~' below the end, digits), bytes of UTF-8 text (dpkg warns about them but still orders them,
 * and advisory data does carry such versions), and whitespace around a version, which dpkg
 * ignores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disagreements } from './dpkg-oracle.js';

// '' is the end of the string; 'é' is C3 A9, 'Ā' C4 80 (the byte 0x80 right at the edge of
// dpkg's signed-char quirk), 'ā' C4 81.
const CHARS = ['', 'A', 'B', 'Y', 'Z', 'a', 'z', '0', '9', '.', '+', '~', '-', ':', 'é', 'Ā', 'ā'];

test('dpkg: each character in the upstream part orders against every other as dpkg orders it', () => {
  // The epoch allows ':' in the upstream part, the revision allows '-'.
  const versions = CHARS.map((c) => `1:1${c}-1`);
  const pairs: [string, string][] = [];
  for (let i = 0; i < versions.length; i++) for (let j = i + 1; j < versions.length; j++) pairs.push([versions[i], versions[j]]);
  assert.equal(pairs.length, 136);
  assert.deepEqual(disagreements(pairs), []);
});

test('dpkg: the same characters in the revision, where the end of the string sorts after "~" only', () => {
  const versions = CHARS.filter((c) => c !== '-' && c !== ':').map((c) => `1.0-1${c}`);
  const pairs: [string, string][] = [];
  for (let i = 0; i < versions.length; i++) for (let j = i + 1; j < versions.length; j++) pairs.push([versions[i], versions[j]]);
  assert.deepEqual(disagreements(pairs), []);
});

test('dpkg: spaces and tabs around a version are not part of it; a line break or carriage return is', () => {
  const pairs: [string, string][] = [
    [' 1.0', '1.0'],
    ['1.0-1 ', '1.0-1'],
    ['\t2:1.0-1\t', '2:1.0-1'],
    ['  1.0~rc1 ', '1.0'],
    ['1.0-1 \t ', '1.0-1'],
    ['1.0-1 ', '1.0-1+b1'],
    // A version read with its line ending (a CRLF file) is another version for dpkg.
    ['1.0-1\n', '1.0-1'],
    ['1.0-1\r', '1.0-1'],
    ['1.0\r', '1.0+'],
    ['\n1.0', '1.0'],
    // ... except before an epoch, which dpkg reads with strtol(): white space and '+' go.
    ['\n1:1.0', '1:1.0'],
    ['\r\v\f1:1.0', '1:1.0'],
    ['+1:1.0', '1:1.0'],
    ['+1:1.0', '0:9'],
  ];
  assert.deepEqual(disagreements(pairs), []);
});
