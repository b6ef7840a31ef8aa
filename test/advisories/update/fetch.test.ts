import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DownloadError, downloadToFile, fetchBuffer, type DownloadProgress } from '../../../src/advisories/update/fetch.js';
import { FeedServer } from './feed-server.js';
import { tempDir } from '../../helpers/tmp.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'advisories-update');
const BODY = readFileSync(join(FIXTURES, 'npm.osv.jsonl'));
const FAST = { retries: 2, retryDelayMs: 1, idleTimeoutMs: 5000 };

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'scout-fetch-'));
  const server = await new FeedServer().start();
  t.after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, server, dest: join(dir, 'dl', 'feed.jsonl') };
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<DownloadError> {
  let caught: unknown;
  await p.catch((e) => (caught = e));
  assert.ok(caught instanceof DownloadError, `expected a DownloadError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

test('a download lands whole under its name with its validators; progress runs up to the total', async (t) => {
  const { server, dest } = await setup(t);
  server.files.set('/f', { body: BODY, etag: '"e1"', lastModified: 'Tue, 01 Sep 2026 10:00:00 GMT' });
  const progress: DownloadProgress[] = [];
  const r = await downloadToFile(`${server.origin}/f`, dest, { ...FAST, onProgress: (p) => progress.push(p) });
  assert.equal(r.status, 'ok');
  assert.ok(r.status === 'ok');
  assert.deepEqual(readFileSync(dest), BODY);
  assert.equal(r.bytes, BODY.length);
  assert.deepEqual(r.validators, { etag: '"e1"', lastModified: 'Tue, 01 Sep 2026 10:00:00 GMT' });
  assert.equal(server.seen[0].headers['accept-encoding'], 'identity');
  assert.equal(progress.at(-1)?.bytes, BODY.length);
  assert.ok(progress.every((p) => p.total === BODY.length));
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].bytes >= progress[i - 1].bytes);
  assert.deepEqual(readdirSync(join(dest, '..')), ['feed.jsonl'], 'no .part left behind');

  // With the validators, the same URL answers 304 and the file is not touched.
  const again = await downloadToFile(`${server.origin}/f`, dest, { ...FAST, validators: r.validators });
  assert.equal(again.status, 'not-modified');
  assert.equal(server.seen[1].headers['if-none-match'], '"e1"');
  assert.equal(server.seen[1].headers['if-modified-since'], 'Tue, 01 Sep 2026 10:00:00 GMT');
});

test('size cap: a Content-Length over the cap is refused before reading, a growing chunked body is cut off; neither is retried', async (t) => {
  const { server, dest } = await setup(t);
  server.files.set('/big', { body: BODY });
  await rejectsWith(downloadToFile(`${server.origin}/big`, dest, { ...FAST, maxBytes: 1000 }), 'download-too-large', /3864 bytes is over the 1000-byte limit/);
  server.files.set('/big', { body: BODY, chunked: true });
  await rejectsWith(downloadToFile(`${server.origin}/big`, dest, { ...FAST, maxBytes: 1000 }), 'download-too-large', /grew past the 1000-byte limit/);
  assert.equal(server.seen.length, 2);
  assert.equal(existsSync(dest), false);
  assert.equal(existsSync(`${dest}.part`), false);
  await rejectsWith(fetchBuffer(`${server.origin}/big`, { ...FAST, maxBytes: 1000 }), 'download-too-large');
});

test('HTTP errors: 404 fails at once, 503 is retried until the attempts run out', async (t) => {
  const { server, dest } = await setup(t);
  const e404 = await rejectsWith(downloadToFile(`${server.origin}/missing`, dest, FAST), 'download-http', /HTTP 404/);
  assert.equal(e404.httpStatus, 404);
  assert.equal(server.takePaths().length, 1);
  server.files.set('/busy', { body: BODY, failWith: { status: 503, times: 10 } });
  const retried: number[] = [];
  await rejectsWith(downloadToFile(`${server.origin}/busy`, dest, { ...FAST, onRetry: (r) => retried.push(r.attempt) }), 'download-http', /HTTP 503/);
  assert.equal(server.takePaths().length, 3);
  assert.deepEqual(retried, [1, 2]);
  await rejectsWith(downloadToFile('ftp://127.0.0.1/feed.json', dest, FAST), 'download-bad-url');
});

test('file: URLs (a mirror directory): copied like a download, size and mtime as the ETag, a missing file is a 404', async () => {
  const dir = tempDir();
  const src = join(dir, 'feed.json');
  writeFileSync(src, BODY);
  const dest = join(tempDir(), 'out', 'feed.json');
  const url = pathToFileURL(src).toString();
  const got = await downloadToFile(url, dest, FAST);
  assert.equal(got.status, 'ok');
  assert.ok(got.status === 'ok' && got.validators.etag);
  assert.deepEqual(readFileSync(dest), BODY);
  // Unchanged: not modified, as a 304.
  assert.deepEqual(await downloadToFile(url, dest, { ...FAST, validators: got.status === 'ok' ? got.validators : {} }), { status: 'not-modified', url });
  const buf = await fetchBuffer(url, FAST);
  assert.ok(buf.status === 'ok' && buf.body.equals(BODY));
  const missing = await rejectsWith(fetchBuffer(pathToFileURL(join(dir, 'gone.json')).toString(), FAST), 'download-http', /no such file in the mirror directory/);
  assert.equal(missing.httpStatus, 404);
  await rejectsWith(downloadToFile(url, dest, { ...FAST, maxBytes: 3 }), 'download-too-large');
});

test('an interrupted body without a validator restarts cleanly; with one it resumes, even in a later call', async (t) => {
  const { server, dest } = await setup(t);
  server.files.set('/plain', { body: BODY, cutAfter: { bytes: 1000, times: 1 } });
  await downloadToFile(`${server.origin}/plain`, dest, FAST);
  assert.deepEqual(readFileSync(dest), BODY);
  assert.equal(server.seen.length, 2);
  assert.equal(server.seen[1].headers.range, undefined, 'no Range without a validator');
  server.takePaths();

  // A call with no retries fails and leaves the partial file; the next call continues it.
  server.files.set('/tagged', { body: BODY, etag: '"t1"', cutAfter: { bytes: 1500, times: 1 } });
  await rejectsWith(downloadToFile(`${server.origin}/tagged`, dest, { ...FAST, retries: 0 }), 'download-network');
  assert.ok(existsSync(`${dest}.part`));
  const partSize = readFileSync(`${dest}.part`).length;
  assert.ok(partSize > 0 && partSize <= 1500);
  const r = await downloadToFile(`${server.origin}/tagged`, dest, FAST);
  assert.equal(r.status, 'ok');
  assert.equal(server.seen[1].headers.range, `bytes=${partSize}-`);
  assert.equal(server.seen[1].status, 206);
  assert.deepEqual(readFileSync(dest), BODY);
  assert.equal(existsSync(`${dest}.part`), false);
  server.takePaths();

  // A server that ignores Range answers 200: the partial file is replaced, not appended to.
  server.files.set('/norange', { body: BODY, etag: '"n1"', ranges: false, cutAfter: { bytes: 2000, times: 1 } });
  await downloadToFile(`${server.origin}/norange`, dest, FAST);
  assert.equal(server.seen[1].headers.range !== undefined, true);
  assert.equal(server.seen[1].status, 200);
  assert.deepEqual(readFileSync(dest), BODY);
});

test('a partial file left by a different URL is discarded, never resumed', async (t) => {
  const { server, dest } = await setup(t);
  server.files.set('/a', { body: Buffer.from('A'.repeat(5000)), etag: '"a"', cutAfter: { bytes: 1000, times: 1 } });
  await rejectsWith(downloadToFile(`${server.origin}/a`, dest, { ...FAST, retries: 0 }), 'download-network');
  server.files.set('/b', { body: BODY, etag: '"a"' });
  await downloadToFile(`${server.origin}/b`, dest, FAST);
  assert.equal(server.seen.at(-1)?.headers.range, undefined);
  assert.deepEqual(readFileSync(dest), BODY);
});

test('a stalled connection times out and is retried', async (t) => {
  const { server, dest } = await setup(t);
  server.files.set('/slow', { body: BODY, stallAfter: 100 });
  const err = await rejectsWith(downloadToFile(`${server.origin}/slow`, dest, { retries: 1, retryDelayMs: 1, idleTimeoutMs: 300 }), 'download-timeout', /no data for 300 ms after 100 bytes/);
  assert.equal(err.retryable, true);
  assert.equal(server.seen.length, 2);
});

test('fetchBuffer: small documents in memory, truncation detected against Content-Length', async (t) => {
  const { server } = await setup(t);
  server.files.set('/rec.json', { body: BODY, etag: '"r"' });
  const r = await fetchBuffer(`${server.origin}/rec.json`, FAST);
  assert.ok(r.status === 'ok');
  assert.deepEqual(r.body, BODY);
  assert.equal((await fetchBuffer(`${server.origin}/rec.json`, { ...FAST, validators: r.validators })).status, 'not-modified');
  server.files.set('/cut.json', { body: BODY, cutAfter: { bytes: 10, times: 5 } });
  await rejectsWith(fetchBuffer(`${server.origin}/cut.json`, FAST), 'download-network');
  assert.equal(server.seen.filter((s) => s.path === '/cut.json').length, 3);
});
