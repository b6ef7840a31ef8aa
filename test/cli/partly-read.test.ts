/**
 * A layer a limit stopped partway is "partly read", with where, why and how much was read around
 * it, in every summary (cves and quickview text and JSON, the SBOM's warnings read back); only a
 * layer left out entirely "could not be read".
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { buildImage, withLayerBlob, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { makeZip } from '../helpers/zip-writer.js';
import { importedCache } from '../report/helpers.js';

const pom = (a: string) => ({ name: `META-INF/maven/org.part/${a}/pom.properties`, data: `groupId=org.part\nartifactId=${a}\nversion=1\n` });

test('a layer a limit stopped is "partly read: stopped at <where>: <why>; N files read before, M after"; a failed one "could not be read"', async () => {
  // Layer 0: two files, a jar holding three nested jars, one more file. With a budget of one
  // nested archive, lib/a.jar is read and the reading stops at lib/b.jar.
  const wide = makeZip([pom('wide'), ...['a', 'b', 'c'].map((n) => ({ name: `lib/${n}.jar`, data: makeZip([pom(n)]) }))]);
  const base = await buildImage({ layers: [{ 'etc/one': '1', 'etc/two': '2', 'app/wide.jar': wide, 'usr/three': '3' }, { 'etc/four': '4' }] });
  // Layer 1 is not gzip at all: left out whole.
  const im = withLayerBlob(base, 1, Buffer.from('not a layer'));
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const l0 = `layer 0 (${im.layers[0].digest.slice(0, 19)})`;
  const l1 = `layer 1 (${im.layers[1].digest.slice(0, 19)})`;
  const env = { SCOUT_CACHE_DIR: importedCache(), SCOUT_MAX_NESTED_ARCHIVES: '1' };
  const partly = `${l0} partly read: stopped at /app/wide.jar:lib/b.jar: nested archive budget (count) exceeded; 2 files read before, 1 after`;
  const expected = `No vulnerabilities found in what could be read; incomplete: 1 layer could not be read (${l1}); ${partly}`;

  const text = scout(['cves', dir, '--no-cache'], env);
  assert.equal(text.code, 3, text.stderr);
  assert.equal(text.stdout.trim().split('\n').at(-1), expected);

  const json = scout(['cves', dir, '--no-cache', '--format', 'json'], env);
  assert.equal(json.code, 3, json.stderr);
  const doc = JSON.parse(json.stdout) as { incomplete: { layer: string; read: string; reason: string }[]; target: { packages: number } };
  const byLayer = new Map(doc.incomplete.map((g) => [g.layer, g]));
  assert.deepEqual(byLayer.get(l0), { layer: l0, read: 'partly', reason: 'nested archive budget (count) exceeded', stoppedAt: '/app/wide.jar:lib/b.jar', filesBefore: 2, filesAfter: 1, otherStops: 0 });
  const failed = byLayer.get(l1);
  assert.equal(failed?.read, 'none');
  assert.ok(failed.reason.length > 0 && !failed.reason.startsWith(l1), failed.reason);
  assert.equal(doc.incomplete.length, 2);

  const q = scout(['quickview', dir, '--no-cache'], env);
  assert.equal(q.code, 3, q.stderr);
  assert.match(q.stdout, new RegExp(`^Incomplete: 1 layer could not be read \\(${l1.replace(/[()]/g, '\\$&')}\\); ${partly.replace(/[().]/g, '\\$&')}; the counts above leave out the packages not read$`, 'm'));
  const qj = JSON.parse(scout(['quickview', dir, '--no-cache', '--format', 'json'], env).stdout) as { failedLayers: string[]; incomplete: unknown[] };
  assert.deepEqual(qj.failedLayers.sort(), [l0, l1]);
  assert.deepEqual(qj.incomplete, doc.incomplete);

  // The SBOM keeps where the layer stopped: read back, the summary says the same.
  const out = join(tempDir(), 'partial.json');
  const sbom = scout(['sbom', dir, '--no-cache', '--format', 'json', '-o', out], env);
  assert.equal(sbom.code, 3, sbom.stderr);
  const again = scout(['cves', `sbom://${out}`], env);
  assert.equal(again.code, 3, again.stderr);
  assert.equal(again.stdout.trim().split('\n').at(-1), expected);
});
