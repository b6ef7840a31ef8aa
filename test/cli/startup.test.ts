/**
 * `scout --version` and `scout --help` load only what they print (issue #10, Speed): no
 * scanner, catalogers, stores or reports. The time is measured by bench/startup.bench.ts;
 * this test proves which modules a start reads, which is what the time comes from.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutNodeArgsImporting } from '../helpers/cli.js';
import { buildImage, writeDockerArchive } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TRACE = join(ROOT, 'test/helpers/module-trace.mjs');

/**
 * A loaded module's project-relative path, named as its source: the test runner starts `scout`
 * from the JavaScript it transpiled into .test-build/ (test/helpers/cli.ts), one file per source.
 */
function sourcePath(url: string): string {
  const p = new URL(url).pathname.slice(ROOT.length);
  return p.startsWith('.test-build/') ? 'src/' + p.slice('.test-build/'.length).replace(/\.js$/, '.ts') : p;
}

/** The project-relative paths of the modules `scout ARGS` loaded, and its output. */
function loaded(args: string[], env: Record<string, string> = {}): { modules: string[]; stdout: string; code: number | null } {
  const file = join(tempDir(), 'modules.txt');
  const r = spawnSync(process.execPath, scoutNodeArgsImporting([TRACE], ...args), { encoding: 'utf8', env: { ...process.env, ...env, SCOUT_TRACE_MODULES: file } });
  const urls = readFileSync(file, 'utf8').trim().split('\n');
  const modules = [...new Set(urls.filter((u) => u.startsWith('file://')).map(sourcePath))];
  return { modules, stdout: r.stdout, code: r.status };
}

/** What a start must never pull in: the scanner and everything behind the commands. */
const HEAVY = /^src\/(image\/(scan|open|resolve|cache|filetree|capture|inspect|layer\/|sources\/|registry\/(client|auth|credentials))|catalog\/|sbom\/|match\/|store\/|advisories\/|report\/|server\/|attest\/|secrets\/|platform\/|jobs\/|versions\/)/;

test('scout --version loads main and nothing else of Scout, not even commander', () => {
  const r = loaded(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  const ours = r.modules.filter((m) => m.startsWith('src/') || m.startsWith('node_modules/commander'));
  assert.deepEqual(ours, ['src/cli/main.ts']);
});

test('scout --help lists every command from the stubs alone: no command module, no scanner or store, not even commander', () => {
  for (const arg of ['--help', '-h', 'help']) {
    const r = loaded([arg]);
    assert.equal(r.code, 0);
    for (const cmd of ['sbom', 'cves', 'image', 'quickview', 'db', 'push', 'watch', 'secrets']) assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, 'm'));
    // The text is commander's for the full tree (test/cli/quick-help.test.ts), rendered without it.
    const ours = r.modules.filter((m) => m.startsWith('src/') || m.startsWith('node_modules/commander'));
    assert.deepEqual(ours.sort(), ['src/cli/command-index.ts', 'src/cli/main.ts', 'src/cli/quick-help.ts', 'src/cli/usage-name.ts'], arg);
    const packages = new Set(r.modules.filter((m) => m.startsWith('node_modules/')).map((m) => m.split('/')[1]));
    assert.deepEqual([...packages].filter((p) => p !== 'tsx' && p !== 'get-tsconfig' && p !== 'esbuild'), []);
  }
});

test('a subcommand\'s help loads its own command modules only, and no scanner', () => {
  const r = loaded(['image', 'inspect', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: scout image inspect/);
  assert.deepEqual(r.modules.filter((m) => HEAVY.test(m)), []);
  // The `image` group's two modules (inspect, and the server's image list/get), no other command's.
  assert.deepEqual(r.modules.filter((m) => m.startsWith('src/cli/commands/')).sort(), ['src/cli/commands/image-inspect.ts', 'src/cli/commands/platform-read.ts']);
});

test('scanning an archive does not load the HTTP client (undici, about 80 ms of CPU): only a registry read does', () => {
  const archive = join(ROOT, 'examples/demo-image.tar');
  const r = loaded(['sbom', archive, '--format', 'json'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 0);
  assert.ok((JSON.parse(r.stdout) as { packages: unknown[] }).packages.length >= 5);
  assert.ok(r.modules.includes('src/image/registry/client.ts'), 'the registry client module itself is loaded (foreign.ts, when a layer is read)');
  assert.deepEqual(r.modules.filter((m) => m.startsWith('node_modules/undici/')), []);
});

/** A module of src/catalog/ that a run served from the catalog cache may load: the selection specs, not a cataloger. */
const SPEC_MODULE = /^src\/catalog\/(?:specs|selection|os-release)\.ts$|^src\/catalog\/[^/]+\/spec\.ts$/;

test('an sbom served whole from the catalog cache loads the catalogers\' spec modules, not the catalogers', () => {
  const archive = join(ROOT, 'examples/demo-image.tar');
  const env = { SCOUT_CACHE_DIR: tempDir() };
  const cold = loaded(['sbom', archive, '--format', 'json'], env);
  assert.equal(cold.code, 0);
  // The trace sees the catalogers when they run: the warm run's absence of them means something.
  assert.ok(cold.modules.includes('src/catalog/dpkg/index.ts') && cold.modules.includes('src/catalog/run.ts'), 'the first run catalogs');
  const warm = loaded(['sbom', archive, '--format', 'json'], env);
  assert.equal(warm.code, 0);
  assert.deepEqual(JSON.parse(warm.stdout).packages, JSON.parse(cold.stdout).packages, 'the same SBOM, from the cache');
  const catalog = warm.modules.filter((m) => m.startsWith('src/catalog/'));
  assert.ok(catalog.includes('src/catalog/specs.ts') && catalog.includes('src/catalog/dpkg/spec.ts'), 'the key is built from the specs');
  assert.deepEqual(catalog.filter((m) => !SPEC_MODULE.test(m)), []);
  // Nor the layer scanner, nor the attestation readers and SBOM importers (--sbom-source is checked apart).
  assert.deepEqual(warm.modules.filter((m) => ['src/image/scan.ts', 'src/sbom/attested.ts', 'src/sbom/formats/detect.ts'].includes(m)), []);
  assert.ok(cold.modules.includes('src/image/scan.ts'), 'the first run scans');
  // Nor what reads a layer: its decompressors (zstd's among them), tar parser and index
  // builder, the foreign-layer fetcher and the registry client behind it. The archive's own
  // members are listed with the tar header fields alone; the --registry-* flags' pace
  // settings are parsed by every image command.
  const LAYER_READING = /^src\/image\/(?:layer\/(?!tar-header\.ts$|tar-path\.ts$|compression\.ts$)|registry\/(?!pace\.ts$)|foreign\.ts$)|^node_modules\/fzstd\//;
  assert.ok(cold.modules.some((m) => LAYER_READING.test(m) && m.startsWith('src/image/layer/')) && cold.modules.includes('src/image/foreign.ts'), 'the first run reads layers');
  assert.deepEqual(warm.modules.filter((m) => LAYER_READING.test(m)), []);
});

/** A Debian package whose control data goes beyond Latin-1, as real ones do (maintainers' names, ®). */
const INTL_STATUS = [
  'Package: libnaive1',
  'Status: install ok installed',
  'Priority: optional',
  'Section: libs',
  'Installed-Size: 12',
  'Maintainer: Łukasz Żółć <lz@example.org>',
  'Architecture: amd64',
  'Version: 1.0-1',
  'Description: naïve library ✓ 😀',
  ' Implements Type Enforcement® for 日本語 text.',
  '',
].join('\n');

test('a warm sbom served from the catalog cache writes the first run\'s bytes, to a file and to standard output, beyond ASCII too', async () => {
  const dir = tempDir();
  const archive = join(dir, 'intl.tar');
  const image = await buildImage({ flavor: 'docker', compression: 'none', layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'var/lib/dpkg/status': INTL_STATUS }, { 'app/package-lock.json': JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/ünïcode-pkg': { version: '1.0.0' } } }) }] });
  await writeDockerArchive(archive, [{ image, tags: ['intl:1'] }]);
  const env = { SCOUT_CACHE_DIR: join(dir, 'cache') };
  const run = (out: string) => loaded(['sbom', archive, '--format', 'json', '-o', out, '--format', 'json', '-o', '-'], env);
  const cold = run(join(dir, 'cold.json'));
  assert.equal(cold.code, 0);
  assert.ok(cold.modules.includes('src/image/scan.ts'), 'the first run scans');
  const warm = run(join(dir, 'warm.json'));
  assert.equal(warm.code, 0);
  assert.deepEqual(warm.modules.filter((m) => m === 'src/image/scan.ts' || m.startsWith('src/catalog/dpkg/index')), [], 'the second run is served from the catalog cache');
  // The same bytes but the time they were made (generatedAt, on a line of its own).
  const when = /^ {2}"generatedAt": "[^"]+",$/m;
  const bytes = (f: string) => readFileSync(join(dir, f)).toString('utf8').replace(when, '');
  const coldText = bytes('cold.json');
  assert.match(coldText, /"author": "Łukasz Żółć <lz@example\.org>"/);
  assert.match(coldText, /"description": "naïve library ✓ 😀\\nImplements Type Enforcement® for 日本語 text\."/);
  assert.match(coldText, /"name": "ünïcode-pkg"/);
  assert.equal(bytes('warm.json'), coldText);
  assert.equal(warm.stdout.replace(when, ''), coldText, 'standard output gets the same bytes');
  assert.equal(cold.stdout.replace(when, ''), coldText);
});
