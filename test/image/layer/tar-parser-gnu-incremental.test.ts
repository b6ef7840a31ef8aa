/**
 * Old GNU headers ("ustar  \0") keep atime and ctime where POSIX ustar keeps its name prefix
 * (offset 345). The real GNU tar fills them in its incremental mode (`-G`), so a parser that
 * takes them for a prefix names every member "<atime digits>/…", and whiteouts, lookups and
 * catalogers then miss every file of the layer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TarParser } from '../../../src/image/layer/tar-parser.js';
import { tempDir } from '../../helpers/tmp.js';

test('an incremental GNU tar (atime and ctime at offset 345) names its members by their own names', () => {
  const root = tempDir('scout-gnu-incremental-');
  mkdirSync(join(root, 'etc', 'apt'), { recursive: true });
  writeFileSync(join(root, 'etc', 'apt', 'sources.list'), 'deb http://deb.debian.org/debian bookworm main\n');
  writeFileSync(join(root, 'etc', 'os-release'), 'ID=debian\n');
  const tar = execFileSync('tar', ['--format=gnu', '-G', '-cf', '-', '-C', root, 'etc']);

  // The input really is the case: old GNU magic, and digits at 345 in every member's header.
  const names: string[] = [];
  const parser = new TarParser((h) => {
    names.push(h.name);
    return undefined;
  });
  parser.push(tar);
  parser.end();
  assert.equal(tar.subarray(257, 265).toString('latin1'), 'ustar  \0');
  assert.match(tar.subarray(345, 356).toString('latin1'), /^[0-7]{11}$/);

  assert.deepEqual(names.filter((n) => !n.endsWith('/')).sort(), ['etc/apt/sources.list', 'etc/os-release']);
  for (const n of names) assert.ok(n.startsWith('etc'), n);
});
