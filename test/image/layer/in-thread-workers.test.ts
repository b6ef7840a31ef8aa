// SCOUT_WORKERS_IN_THREAD=1 runs the layer-indexing pool's and the analyzer helper's jobs on the
// calling thread, so mutation testing sees what they reach (npm run mutate -- layer). It must give
// exactly what the worker threads give: same index, same errors, same transfer of the bytes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { openImage } from '../../../src/image/open.js';
import { LayerWorkerPool } from '../../../src/image/layer/worker-pool.js';
import { AnalyzerThread, type AnalyzerOutcome } from '../../../src/image/layer/analyzer-thread.js';
import { javaArchiveAnalyzer } from '../../../src/catalog/java/index.js';
import type { LayerIndex } from '../../../src/image/layer-index.js';
import { buildImage, compress, sha256, tarOf, writeOciLayout, withLayerBlob } from '../../helpers/image-builder.js';
import { gnuTar } from '../../helpers/gnu-tar.js';
import { tempDir } from '../../helpers/tmp.js';

const PROBE = new URL('./thread-probe.fixture.ts', import.meta.url).href;
const CAPTURE = { module: PROBE, name: 'capture' };

/** Runs `f` with SCOUT_WORKERS_IN_THREAD set to `value` (or unset), then puts it back. */
async function withEnv<T>(value: string | undefined, f: () => Promise<T>): Promise<T> {
  const before = process.env.SCOUT_WORKERS_IN_THREAD;
  if (value === undefined) delete process.env.SCOUT_WORKERS_IN_THREAD;
  else process.env.SCOUT_WORKERS_IN_THREAD = value;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.SCOUT_WORKERS_IN_THREAD;
    else process.env.SCOUT_WORKERS_IN_THREAD = before;
  }
}

type Indexed = { index?: LayerIndex; error?: { code: string; message: string } };

async function indexAll(dir: string): Promise<Indexed[]> {
  const pool = new LayerWorkerPool(1);
  try {
    const out: Indexed[] = [];
    for (const layer of (await openImage(dir)).layers) {
      try {
        out.push({ index: await pool.index(layer, CAPTURE) });
      } catch (e) {
        const err = e as { code: string; message: string };
        out.push({ error: { code: err.code, message: err.message } });
      }
    }
    return out;
  } finally {
    await pool.close();
  }
}

/** The index without the probe's thread id, and the ids it saw. */
function split(r: Indexed) {
  if (!r.index) return { rest: r, threads: [] };
  const analyses = [...r.index.analyses].map(([path, a]) => [path, { ...a, 'thread-probe': undefined }]);
  const threads = [...r.index.analyses.values()].map((a) => (a['thread-probe'] as { threadId: number }).threadId);
  return { rest: { ...r.index, analyses, captured: [...r.index.captured] }, threads };
}

test('layers indexed by the pool on the calling thread give exactly what its worker threads give', async () => {
  const long = `opt/${'n'.repeat(60)}/${'m'.repeat(60)}/package.json`;
  const im = await buildImage({
    layers: [
      { 'etc/os-release': 'ID=debian\n', 'app/package.json': '{"name":"a"}', 'usr/share/big.txt': 'x'.repeat(3_000_000) },
      gnuTar([['etc/os-release', 'ID=alpine\n'], [long, '{"name":"long"}'], ['lib/link', { symlink: `../${long}` }], ['lib/hard', { hardlink: long }]], 'pax'),
      { 'etc/os-release': 'ID=x\n', 'app/.wh.package.json': '', 'opt/': { opaque: true } },
      { 'etc/os-release': 'ID=y\n' },
    ],
  });
  // Layer 3 is a zstd blob, layer 2 an uncompressed one: each way of reading a blob.
  const tar3 = await tarOf({ 'etc/os-release': 'ID=zstd\n', 'opt/z/package.json': '{"name":"z"}' });
  let image = withLayerBlob(im, 3, compress(tar3, 'zstd'), { diffId: sha256(tar3), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' });
  const tar2 = await tarOf({ 'etc/os-release': 'ID=plain\n', 'app/.wh.package.json': '', 'opt/': { opaque: true } });
  image = withLayerBlob(image, 2, tar2, { diffId: sha256(tar2), mediaType: 'application/vnd.oci.image.layer.v1.tar' });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [image] }]);
  // And a layer that fails: its blob is not the one its digest names.
  const bad = await buildImage({ layers: [{ a: 'a' }] });
  const badDir = tempDir();
  writeOciLayout(badDir, [{ images: [bad] }]);
  writeFileSync(join(badDir, 'blobs/sha256', bad.layers[0].digest.slice(7)), 'not the blob');

  const threaded = [...(await withEnv(undefined, () => indexAll(dir))), ...(await withEnv(undefined, () => indexAll(badDir)))];
  const here = [...(await withEnv('1', () => indexAll(dir))), ...(await withEnv('1', () => indexAll(badDir)))];

  assert.equal(threaded.length, 5);
  for (let i = 0; i < 4; i++) assert.ok(threaded[i].index, `layer ${i}: ${JSON.stringify(threaded[i].error)}`);
  assert.deepEqual(here.map((r) => split(r).rest), threaded.map((r) => split(r).rest));
  assert.equal(threaded[4].error?.code, 'digest-mismatch');
  assert.deepEqual(threaded[1].index!.captured.get('/' + long)?.toString(), '{"name":"long"}');
  assert.equal(threaded[3].index!.captured.get('/etc/os-release')?.toString(), 'ID=zstd\n');
  // The probe saw where each layer was indexed: a worker thread, then this one.
  const threads = (rs: Indexed[]) => [...new Set(rs.flatMap((r) => split(r).threads))];
  assert.equal(threads(threaded).length, 1);
  assert.notEqual(threads(threaded)[0], threadId);
  assert.deepEqual(threads(here), [threadId]);
});

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/catalogers/java/${p}`, import.meta.url));

async function analyzeAll(files: [string, Buffer][]): Promise<{ outcomes: AnalyzerOutcome[][]; detached: boolean[] }> {
  const thread = new AnalyzerThread();
  try {
    const outcomes: AnalyzerOutcome[][] = [];
    const detached: boolean[] = [];
    for (const [path, bytes] of files) {
      const content = Buffer.from(bytes);
      outcomes.push(await thread.run([{ module: PROBE, fn: 'probe' }, javaArchiveAnalyzer.offThread!, { module: PROBE, fn: 'none' }], content, path));
      detached.push(content.buffer.byteLength === 0);
    }
    return { outcomes, detached };
  } finally {
    await thread.close();
  }
}

test('files analyzed by the helper on the calling thread give exactly what its worker thread gives, errors included', async () => {
  const war = fixture('trivy-war-maven/maven.war');
  const broken = Buffer.concat([war.subarray(0, 200_000), Buffer.alloc(100_000, 0x41)]);
  const files: [string, Buffer][] = [['/opt/maven.war', war], ['/opt/broken.jar', broken]];
  const threaded = await withEnv(undefined, () => analyzeAll(files));
  const here = await withEnv('1', () => analyzeAll(files));

  const shape = (o: AnalyzerOutcome) => ('error' in o ? { error: { name: o.error.name, code: (o.error as { code?: string }).code, message: o.error.message } } : o);
  const withoutThread = (r: { outcomes: AnalyzerOutcome[][] }) => r.outcomes.map((os) => os.slice(1).map(shape));
  assert.deepEqual(withoutThread(here), withoutThread(threaded));
  assert.deepEqual(here.detached, [true, true], 'the bytes are transferred, as to a thread');
  assert.deepEqual(threaded.detached, [true, true]);
  // The war is analyzed, the broken jar throws a ScoutError, a missing export is a plain Error.
  const [warOut, brokenOut] = threaded.outcomes;
  assert.ok('result' in warOut[1] && warOut[1].result);
  assert.ok('error' in brokenOut[1] && (brokenOut[1].error as { code?: string }).code, JSON.stringify(shape(brokenOut[1])));
  assert.ok('error' in warOut[2] && /exports no function none/.test(warOut[2].error.message));
  const probes = (r: { outcomes: AnalyzerOutcome[][] }) => r.outcomes.map((os) => (os[0] as { result: { threadId: number; path: string; bytes: number } }).result);
  assert.deepEqual(probes(threaded).map((p) => [p.path, p.bytes]), [['/opt/maven.war', war.length], ['/opt/broken.jar', broken.length]]);
  assert.notEqual(probes(threaded)[0].threadId, threadId);
  assert.deepEqual(probes(here).map((p) => p.threadId), [threadId, threadId]);
});
