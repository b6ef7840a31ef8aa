/**
 * Archives nested in archives share one budget per image scan (count, bytes, entries, depth),
 * across layers and threads. Real jars, generated here: each holds a pom.properties (so every
 * archive read is one package) and copies of the next level down.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { fullCapture } from '../../../src/catalog/index.js';
import { javaCataloger } from '../../../src/catalog/java/index.js';
import { LayerCache } from '../../../src/image/cache.js';
import { openImage } from '../../../src/image/open.js';
import { scanImage, type ScanOptions } from '../../../src/image/scan.js';
import { scanIncomplete } from '../../../src/image/incomplete.js';
import { siblingModule } from '../../../src/util/module-worker.js';
import { scout } from '../../helpers/cli.js';
import { buildImage, writeOciLayout } from '../../helpers/image-builder.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeZip } from '../../helpers/zip-writer.js';
import { fanOutJar } from '../../helpers/fan-out-jar.js';

function pom(a: string): { name: string; data: string } {
  return { name: `META-INF/maven/org.fan/${a}/pom.properties`, data: `groupId=org.fan\nartifactId=${a}\nversion=1\n` };
}

/** A jar holding `fan` copies of a jar that holds `fan` copies ... `depth` levels down. */
function fanJar(fan: number, depth: number, name = 'outer', pad = 0): Buffer {
  let inner = makeZip([pom('leaf')]);
  for (let d = depth; d >= 1; d--) {
    const level = inner;
    inner = makeZip([pom(`level${d}`), ...Array.from({ length: fan }, (_, i) => ({ name: `lib/l${d}-${i}.jar`, data: level }))]);
  }
  // Padding (stored, incompressible) makes the outer jar big enough for the helper thread.
  return makeZip([pom(name), { name: 'lib/fan.jar', data: inner }, ...(pad ? [{ name: 'pad.bin', data: randomBytes(pad), method: 0 as const }] : [])]);
}

/** Jars read beneath the outer ones: 1 + fan + fan² + ... per outer jar, at depth ≤ 4. */
const PER_OUTER = 1 + 6 + 36 + 216; // fanJar(6, 3): lib/fan.jar, then three levels of six

/** Two layers, two outer jars each: 4 × 259 = 1036 nested archives in all. */
async function layout(pad = 0): Promise<string> {
  const jar = (n: string) => fanJar(6, 3, n, pad);
  const im = await buildImage({ layers: [{ 'app/a.jar': jar('a'), 'app/b.jar': jar('b') }, { 'opt/c.war': jar('c'), 'opt/d.ear': jar('d') }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  return dir;
}

async function javaScan(dir: string, opts: ScanOptions) {
  const scan = await scanImage(await openImage(dir), fullCapture, { cache: false, ...opts });
  let nested = 0;
  for (const l of scan.layers) {
    for (const [, rec] of l.index?.analyses ?? []) {
      const a = rec['java-archive'] as { artifacts: { nesting: string[] }[] } | undefined;
      nested += a?.artifacts.filter((x) => x.nesting.length > 0).length ?? 0;
    }
  }
  return { scan, nested };
}

test('nested archives: one budget for the whole image, shared across layers; hitting it names the archive and fails its layer', async () => {
  const dir = await layout();
  const full = await javaScan(dir, {});
  assert.equal(full.nested, 4 * PER_OUTER, 'every nested jar is read within the default budget');
  assert.equal(scanIncomplete(full.scan.warnings), false, JSON.stringify(full.scan.warnings));

  // 600 archives: more than any one outer jar (259) or one layer (518) holds, so only a budget
  // shared across layers stops here.
  const cut = await javaScan(dir, { budget: { nestedArchives: 600 } });
  assert.equal(cut.nested, 600);
  const hits = cut.scan.warnings.filter((w) => w.code === 'nested-archive-budget');
  assert.ok(hits.length >= 1, JSON.stringify(cut.scan.warnings));
  for (const h of hits) {
    assert.equal(h.layerFailed, true);
    assert.match(h.message, /^layer [01] \(sha256:[0-9a-f]{12}\): \/(app|opt)\/[a-d]\.[jwe]ar(:lib\/[^:]+)*: nested archive "lib\/[^"]+" .*budget of 600 nested archives is spent \(SCOUT_MAX_NESTED_ARCHIVES\)/);
    assert.ok(h.path && h.message.includes(h.path));
  }
  // The scan went on: both layers are in the result, outer jars and what was read of the rest.
  assert.deepEqual(cut.scan.failedLayers, []);
  assert.equal(scanIncomplete(cut.scan.warnings), true);
});

test('nested archives: bytes and entries are budgeted too, and the helper thread and layer workers draw on the same budget', async () => {
  // Outer jars over 64 KiB go to the helper thread; with workers, whole layers are indexed there.
  const dir = await layout(80 * 1024);
  const workers = { workerCapture: { module: siblingModule(import.meta.url, '../../../src/catalog/index').href, name: 'fullCapture' }, workerThresholdBytes: 0 };
  for (const threads of [{ analyzerThreadThresholdBytes: 0 }, workers]) {
    const cut = await javaScan(dir, { ...threads, concurrency: 2, budget: { nestedArchives: 600 } });
    assert.equal(cut.nested, 600, JSON.stringify(threads));
    assert.ok(cut.scan.warnings.some((w) => w.code === 'nested-archive-budget' && w.layerFailed), JSON.stringify(cut.scan.warnings));
  }
  // Each level-3 jar lists 2 entries (its pom, the leaf); the rest more. 300 entries stop the walk early.
  const entries = await javaScan(dir, { budget: { nestedEntries: 300 } });
  assert.ok(entries.nested > 0 && entries.nested < 300, `read ${entries.nested}`);
  assert.ok(entries.scan.warnings.some((w) => w.code === 'nested-archive-budget' && /budget of 300 entries of nested archives is spent \(SCOUT_MAX_NESTED_ENTRIES\)/.test(w.message)));
  const bytes = await javaScan(dir, { budget: { nestedBytes: 50_000 } });
  assert.ok(bytes.nested > 0 && bytes.nested < 4 * PER_OUTER, `read ${bytes.nested}`);
  assert.ok(bytes.scan.warnings.some((w) => w.code === 'nested-archive-budget' && /budget of 50000 bytes of nested archives is spent \(SCOUT_MAX_NESTED_BYTES\)/.test(w.message)));
});

test('nested archives: a layer the budget cut short is not cached; the next scan reads it whole', async () => {
  const dir = await layout();
  const cache = new LayerCache(tempDir());
  const cut = await javaScan(dir, { cache, budget: { nestedArchives: 100 } });
  assert.equal(cut.nested, 100);
  const again = await javaScan(dir, { cache });
  assert.equal(again.nested, 4 * PER_OUTER);
  assert.ok(again.scan.layers.every((l) => !l.fromCache));
});

test('nested archives: the CLI exits 3 past the depth or count budget, naming the archive; the rest is in the SBOM', async () => {
  // Five levels: /app/deep.jar:lib/fan.jar:…, the leaf at depth 5.
  const deep = fanJar(1, 4, 'deep');
  const im = await buildImage({ layers: [{ 'app/deep.jar': deep }, { 'app/wide.jar': fanJar(6, 3, 'wide') }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const env = { SCOUT_CACHE_DIR: tempDir() };
  const r = scout(['sbom', dir, '--no-cache', '--format', 'json'], env);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /\/app\/deep\.jar(:lib\/[^:]+){4}: archives nested deeper than 4 levels are not read \(SCOUT_MAX_NESTED_DEPTH\)/);
  const sbom = JSON.parse(r.stdout) as { packages: { name: string }[]; warnings: { code: string; layerFailed?: boolean }[] };
  assert.equal(sbom.packages.filter((p) => p.name === 'level4').length, 1, 'what was read is listed');
  assert.equal(sbom.warnings.filter((w) => w.code === 'java-nesting-too-deep').length, 1, 'reported once, by the layer pass');

  const deeper = scout(['sbom', dir, '--no-cache', '--format', 'json'], { ...env, SCOUT_MAX_NESTED_DEPTH: '5' });
  assert.equal(deeper.code, 0, deeper.stderr);
  assert.equal((JSON.parse(deeper.stdout) as { packages: { name: string }[] }).packages.filter((p) => p.name === 'leaf').length, 1 + 216);

  const few = scout(['sbom', dir, '--no-cache', '--format', 'json'], { ...env, SCOUT_MAX_NESTED_DEPTH: '5', SCOUT_MAX_NESTED_ARCHIVES: '50' });
  assert.equal(few.code, 3, few.stderr);
  assert.match(few.stderr, /\/app\/(deep|wide)\.jar[^ ]*: nested archive "lib\/[^"]+" and the rest nested in this archive not read: the image's budget of 50 nested archives is spent \(SCOUT_MAX_NESTED_ARCHIVES\)/);
  assert.equal((JSON.parse(few.stdout) as { packages: { purl?: string }[] }).packages.filter((p) => p.purl?.startsWith('pkg:maven/')).length, 2 + 50);
});

test('nested archives: an SBOM the budget cut short is not cached; a later run with a bigger budget reads everything', async () => {
  const im = await buildImage({ layers: [{ 'app/wide.jar': fanJar(6, 3, 'wide') }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const env = { SCOUT_CACHE_DIR: tempDir() };
  const maven = (out: string) => (JSON.parse(out) as { packages: { purl?: string }[] }).packages.filter((p) => p.purl?.startsWith('pkg:maven/')).length;
  const cut = scout(['sbom', dir, '--format', 'json'], { ...env, SCOUT_MAX_NESTED_ARCHIVES: '10' });
  assert.equal(cut.code, 3, cut.stderr);
  assert.equal(maven(cut.stdout), 1 + 10);
  const whole = scout(['sbom', dir, '--format', 'json'], env);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(maven(whole.stdout), 1 + PER_OUTER);
});

// The cataloger alone (no scan, no budget) still reads what the per-archive caps allow.
test('nested archives: without a scan budget, only the per-archive caps apply', () => {
  const a = javaCataloger.capture.analyzers[0].analyze(fanJar(6, 3), '/x.jar') as { artifacts: unknown[] };
  assert.equal(a.artifacts.length, 1 + PER_OUTER);
});

test('nested archives: time is budgeted too; the 40-way, 8-deep bomb stops at the budget, naming where, and the scan goes on', async () => {
  // 22 KB, 6.7 × 10¹² archives to follow: with every other limit raised out of the way, only
  // the time budget stops it (the bench measures it under the default limits).
  const bomb = fanOutJar(40, 8);
  assert.ok(bomb.length < 25_000, `${bomb.length} bytes`);
  // Tar order: later.jar comes after the bomb in its layer, so it meets a spent budget.
  const im = await buildImage({ layers: [{ 'app/bomb.jar': bomb, 'app/later.jar': fanJar(2, 1, 'later') }, { 'opt/plain-1.0.jar': makeZip([pom('plain')]) }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const env = { SCOUT_CACHE_DIR: tempDir(), SCOUT_MAX_NESTED_MS: '300', SCOUT_MAX_NESTED_DEPTH: '8', SCOUT_MAX_NESTED_ARCHIVES: '1000000000', SCOUT_MAX_NESTED_ENTRIES: '1000000000', SCOUT_MAX_NESTED_BYTES: '1000000000000' };
  const r = scout(['sbom', dir, '--no-cache', '--format', 'json'], env);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /layer 0 \(sha256:[0-9a-f]{12}\): stopped: nested archive budget \(time\) exceeded in \/app\/bomb\.jar(:lib\/l\d-\d+\.jar)+: the image's 300 ms for reading nested archives are spent \(SCOUT_MAX_NESTED_MS\); "lib\/l\d-\d+\.jar" and the rest nested in this archive not read/);
  const sbom = JSON.parse(r.stdout) as { packages: { name: string }[]; warnings: { code: string; message: string; layerFailed?: boolean }[] };
  const stop = sbom.warnings.find((w) => /nested archive budget \(time\)/.test(w.message));
  assert.equal(stop?.layerFailed, true, 'the layer is marked incomplete');
  assert.equal(stop?.code, 'nested-archive-budget');
  const names = new Set(sbom.packages.map((p) => p.name));
  // The rest of the scan: the bomb's own jar, the jar after it (whose nested jar the spent
  // budget leaves unread: that is named too) and the next layer's.
  for (const n of ['level1', 'later', 'plain']) assert.ok(names.has(n), `${n} in ${[...names].slice(0, 20).join(', ')}`);
  // 300 ms reads a few thousand of them, not 40³.
  assert.ok(sbom.packages.length < 40 ** 3, `${sbom.packages.length} packages: the bomb was not followed to the end`);
  assert.ok(sbom.warnings.some((w) => /^layer 0 .*stopped: nested archive budget \(time\) exceeded in \/app\/later\.jar: .*"lib\/fan\.jar"/.test(w.message)), JSON.stringify(sbom.warnings.map((w) => w.message)));
});
