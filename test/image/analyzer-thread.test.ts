import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fullCapture } from '../../src/catalog/index.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, type ImageScan } from '../../src/image/scan.js';
import { AnalyzerThread } from '../../src/image/layer/analyzer-thread.js';
import { javaArchiveAnalyzer } from '../../src/catalog/java/index.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (p: string) => readFileSync(new URL(`../fixtures/catalogers/${p.endsWith('.elf') ? 'golang' : 'java'}/${p}`, import.meta.url));

function indexes(scan: ImageScan) {
  return scan.layers.map((l) => ({ entries: l.index!.entries, captured: [...l.index!.captured], analyses: [...l.index!.analyses], warnings: l.index!.warnings }));
}

test('archives and binaries analyzed on the helper thread give exactly the index of the main thread, problems included', async () => {
  // A truncated archive: zip magic, then garbage (the analyzer throws on it).
  const broken = Buffer.concat([fixture('trivy-war-maven/maven.war').subarray(0, 200_000), Buffer.alloc(100_000, 0x41)]);
  const im = await buildImage({
    layers: [
      { 'opt/a/maven.war': fixture('trivy-war-maven/maven.war'), 'opt/a/broken.jar': broken, 'etc/os-release': 'ID=debian\n' },
      { 'opt/b/gradle.war': fixture('trivy-war-gradle/gradle.war'), 'opt/b/small.jar': fixture('trivy-jar-nested/nested.jar'), 'usr/bin/app': fixture('trivy-elf-modules/test.elf') },
    ],
  });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const here = await scanImage(await openImage(dir), fullCapture, { cache: false, concurrency: 1 });
  const threaded = await scanImage(await openImage(dir), fullCapture, { cache: false, concurrency: 2, analyzerThreadThresholdBytes: 0 });
  assert.deepEqual(indexes(threaded), indexes(here));
  const analyses = threaded.layers.flatMap((l) => [...l.index!.analyses.keys()]);
  assert.deepEqual(analyses, ['/opt/a/maven.war', '/opt/b/gradle.war', '/opt/b/small.jar', '/usr/bin/app'], 'the broken jar has no analysis');
  assert.ok(threaded.layers[1].index!.analyses.get('/usr/bin/app')?.['go-buildinfo'], 'the Go binary went through both binary analyzers');
  const w = threaded.warnings.find((x) => x.path?.endsWith('broken.jar'));
  assert.ok(w, JSON.stringify(threaded.warnings));
  assert.equal(w.layer?.startsWith('layer 0'), true);
});

test('the helper takes no more bytes than its limit while analyses are outstanding', async (t) => {
  const thread = new AnalyzerThread(3_000_000);
  t.after(() => thread.close());
  const war = fixture('trivy-war-maven/maven.war');
  assert.ok(thread.canTake(war.length));
  const running = thread.run([javaArchiveAnalyzer.offThread!], Buffer.from(war), '/opt/maven.war');
  assert.equal(thread.canTake(war.length), false, 'a second war would pass the limit while the first is analyzed');
  const [outcome] = await running;
  assert.ok('result' in outcome && outcome.result, 'the war was analyzed');
  assert.ok(thread.canTake(war.length), 'room again once it is done');
});
