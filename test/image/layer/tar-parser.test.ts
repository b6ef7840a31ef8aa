import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOk, num } from '../../../src/image/layer/tar-header.js';

/** The checksum as POSIX defines it, one byte at a time. */
function byteSum(h: Buffer, off: number): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[off + i];
  return sum;
}

test('header checksums agree with a byte-by-byte sum, at every alignment and for every byte value', () => {
  // Headers written by GNU tar: real checksums that must pass.
  const dir = mkdtempSync(join(tmpdir(), 'scout-tar-'));
  try {
    writeFileSync(join(dir, 'a.txt'), 'hello');
    writeFileSync(join(dir, `${'ü'.repeat(40)}.txt`), 'x');
    const tar = execFileSync('tar', ['-C', dir, '-cf', '-', '.']);
    for (const shift of [0, 1, 2, 3, 5]) {
      const buf = Buffer.alloc(tar.length + shift);
      tar.copy(buf, shift);
      for (let off = shift; off + 512 <= buf.length && buf[off] !== 0; ) {
        assert.ok(checksumOk(buf, off), `GNU tar header at ${off - shift}, shifted by ${shift}`);
        assert.equal(num(buf, off + 148, 8), byteSum(buf, off));
        off += 512 + Math.ceil(num(buf, off + 124, 12) / 512) * 512;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Random blocks (and all-0xff ones, the largest sums) with their checksum written in, and
  // the same blocks with one byte changed, which must fail.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 400; k++) {
    const shift = k % 7;
    const buf = Buffer.alloc(512 + shift + 3);
    const fill = k % 50 === 0 ? () => 0xff : () => Math.floor(rand() * 256);
    for (let i = 0; i < 512; i++) buf[shift + i] = fill();
    const sum = byteSum(buf, shift);
    buf.write(sum.toString(8).padStart(6, '0') + '\0 ', shift + 148, 'latin1');
    assert.ok(checksumOk(buf, shift), `block ${k}`);
    const at = shift + (k * 37) % 512;
    if (at >= shift + 148 && at < shift + 156) continue;
    buf[at] = buf[at] ^ 0x01;
    assert.ok(!checksumOk(buf, shift), `block ${k} with byte ${at - shift} changed`);
  }
});
