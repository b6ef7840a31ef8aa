/**
 * Images come from paths a user (or a CI script) names: a FIFO or a device there must be a
 * clear error saying what it is, never a hang (opening a FIFO for reading blocks until
 * something writes) or a "no such file". Outer tars with nonsense pax sizes name the member.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openImage } from '../../src/image/open.js';
import { scanImage } from '../../src/image/scan.js';
import { ScoutError } from '../../src/util/errors.js';
import { buildImage, writeDockerArchive, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { header, paxRecord, pad } from '../helpers/tar-blocks.js';

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };

function mkfifo(path: string): void {
  rmSync(path, { force: true });
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, String(r.stderr));
}

const says = (code: string, ...parts: (string | RegExp)[]) => (err: unknown) => {
  assert.ok(err instanceof ScoutError, String(err));
  assert.equal(err.code, code, err.message);
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(err.message.includes(p), `${p} not in ${err.message}`);
    else assert.match(err.message, p);
  }
  return true;
};

test('an OCI layout whose index.json is a FIFO is refused at once, saying what it is', async () => {
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [await buildImage({ layers: [{ a: 'a' }] })] }]);
  mkfifo(join(dir, 'index.json'));
  await assert.rejects(openImage(dir), says('not-a-file', 'index.json is a FIFO (named pipe), not a regular file'));
});

test('a layer blob that is a FIFO fails that layer with a clear error; the others are read', async () => {
  const im = await buildImage({ layers: [{ a: 'a' }, { b: 'b' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  mkfifo(join(dir, 'blobs', 'sha256', im.layers[1].digest.slice('sha256:'.length)));
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  const w = scan.warnings.find((x) => x.layerFailed)!;
  assert.equal(w.code, 'not-a-file');
  assert.match(w.message, /is a FIFO \(named pipe\), not a regular file/);
});

test('a FIFO or a device named as the image is called what it is, not "no such file"', async () => {
  const fifo = join(tempDir(), 'image.tar');
  mkfifo(fifo);
  await assert.rejects(openImage(fifo), says('not-a-file', `${fifo} is a FIFO (named pipe)`));
  await assert.rejects(openImage('/dev/null'), says('not-a-file', '/dev/null is a character device'));
  await assert.rejects(openImage(`archive://${fifo}`), says('not-a-file', `archive ${fifo} is a FIFO (named pipe), not a regular file`));
});


test('an outer tar with a pax size that is not a whole number of bytes names the archive and the member', async () => {
  const im = await buildImage({ layers: [{ a: 'a' }] });
  const good = join(tempDir(), 'good.tar');
  await writeDockerArchive(good, [{ image: im, tags: ['x:1'] }]);
  for (const size of ['abc', '-5', '1.5', '99999999999999999999999', '9007199254740993']) {
    const pax = Buffer.from(paxRecord('size', size));
    const member = Buffer.from('hello');
    const tar = Buffer.concat([header('PaxHeader/evil', pax.length, 'x'), pad(pax), header('evil', member.length, '0'), pad(member), Buffer.alloc(1024)]);
    const path = join(tempDir(), 'evil.tar');
    writeFileSync(path, tar);
    await assert.rejects(openImage(path), (err: unknown) => {
      assert.ok(err instanceof ScoutError, `${size}: ${String(err)}`);
      assert.ok(err.message.includes(path) && err.message.includes('"evil"'), `${size}: ${err.message}`);
      return true;
    }, size);
  }
});
