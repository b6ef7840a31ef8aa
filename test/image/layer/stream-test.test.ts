/**
 * An analyzer with a stream test (FileAnalyzer.prefilter, as the secret scan's keyword search):
 * files the test does not pass are never analyzed, those it passes are analyzed whole, even
 * when their bytes (and their first 512) came in many chunks, and a file that is also captured
 * is analyzed as before. The layer's index is the same as with an analyzer that reads every file.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CompiledCapture, type FileAnalyzer, type StreamTest } from '../../../src/image/capture.js';
import { indexTarStream } from '../../../src/image/layer/tar-index.js';
import { tarOf } from '../../helpers/image-builder.js';

const NEEDLE = 'KEY!';

/** Looks for NEEDLE across chunk boundaries, keeping the last three bytes it saw. */
function needleTest(): StreamTest {
  let carry = '';
  let seen = false;
  return {
    reset: () => ((carry = ''), (seen = false)),
    write: (chunk) => {
      const s = carry + chunk.toString('latin1');
      if (s.includes(NEEDLE)) seen = true;
      carry = s.slice(-(NEEDLE.length - 1));
    },
    passed: () => seen,
  };
}

function analyzer(analyzed: string[], prefilter: boolean): FileAnalyzer {
  return {
    name: 'needle',
    version: 1,
    maxSize: 1 << 20,
    select: () => true,
    analyze: (content, path) => {
      analyzed.push(path);
      const text = content.toString('latin1');
      return text.includes(NEEDLE) ? { at: text.indexOf(NEEDLE), length: content.length } : undefined;
    },
    ...(prefilter ? { prefilter: needleTest } : {}),
  };
}

const filler = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

test('a stream test: only the files it passes are analyzed, whole, however the bytes were cut', async () => {
  const tar = await tarOf({
    'app/none.txt': filler(3000),
    'app/early.txt': `${NEEDLE}${filler(900)}`,
    // Cut by the 700-byte chunks below, within the first 512 bytes and past them.
    'app/cut.txt': `${filler(1398)}${NEEDLE}${filler(2000)}`,
    'app/head.txt': `${filler(510)}${NEEDLE}`,
    'app/late.txt': `${filler(5000)}${NEEDLE}`,
    // Captured by a selector: read whole and analyzed whatever the test says.
    'app/captured.json': filler(800),
  });
  const index = async (prefilter: boolean, chunk: number) => {
    const analyzed: string[] = [];
    const capture = new CompiledCapture({ selectors: [{ globs: ['/app/*.json'] }], analyzers: [analyzer(analyzed, prefilter)] });
    const chunks = Array.from({ length: Math.ceil(tar.length / chunk) }, (_, i) => tar.subarray(i * chunk, (i + 1) * chunk));
    const idx = await indexTarStream(Readable.from(chunks), 'sha256:test', capture, 'layer 0');
    return { analyzed, analyses: Object.fromEntries(idx.analyses), captured: [...idx.captured.keys()] };
  };
  const all = await index(false, 700);
  assert.deepEqual(all.analyzed.sort(), ['/app/captured.json', '/app/cut.txt', '/app/early.txt', '/app/head.txt', '/app/late.txt', '/app/none.txt']);
  for (const chunk of [700, 100, 7, 1 << 20]) {
    const streamed = await index(true, chunk);
    assert.deepEqual(streamed.analyzed.sort(), ['/app/captured.json', '/app/cut.txt', '/app/early.txt', '/app/head.txt', '/app/late.txt'], `chunks of ${chunk}`);
    assert.deepEqual(streamed.analyses, all.analyses, `chunks of ${chunk}`);
    assert.deepEqual(streamed.captured, ['/app/captured.json']);
  }
  assert.deepEqual(all.analyses['/app/cut.txt'], { needle: { at: 1398, length: 3402 } });
});
