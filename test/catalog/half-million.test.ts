/**
 * Every cataloger fed half a million entries in its real input format: all of them must come
 * out as packages. Large arrays spread into function arguments (`push(...xs)`) overflow the
 * stack at a few hundred thousand elements, and a cataloger that throws loses every package
 * it found; these inputs are what a hostile (or just big) image can hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { catalogScan } from '../../src/catalog/run.js';
import type { Cataloger } from '../../src/catalog/types.js';
import { apkCataloger } from '../../src/catalog/apk/index.js';
import { composerCataloger } from '../../src/catalog/composer/index.js';
import { dotnetCataloger } from '../../src/catalog/dotnet/index.js';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { embeddedSbomCataloger } from '../../src/catalog/embedded-sbom/index.js';
import { gemCataloger } from '../../src/catalog/gem/index.js';
import { goBinaryCataloger } from '../../src/catalog/golang/index.js';
import { npmCataloger } from '../../src/catalog/npm/index.js';
import { pythonCataloger } from '../../src/catalog/python/index.js';
import { rpmCataloger } from '../../src/catalog/rpm/index.js';
import { TAG } from '../../src/catalog/rpm/header.js';
import { rustCataloger } from '../../src/catalog/rust/index.js';
import type { ImageScan } from '../../src/image/scan.js';
import { indexFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';
import { makeGoBinary } from './golang/binaries.js';
import { javaCataloger } from '../../src/catalog/java/index.js';
import { makeZip } from '../helpers/zip-writer.js';

const N = Number(process.env.HALF_MILLION_N ?? 500_000);
const REF = { index: 0, digest: 'sha256:big', diffId: 'sha256:big' };

/** Catalog one layer holding these files, through the same runner a scan uses. */
async function catalogLayer(files: Record<string, MemoryEntry>, c: Cataloger) {
  const index = await indexFromMemory(files, c.capture, REF.diffId);
  const scan = { layers: [{ ref: REF, index, fromCache: false }], warnings: [], failedLayers: [] } as unknown as ImageScan;
  return catalogScan(scan, [c]);
}

/** Names p0 … p(N-1) (with an optional prefix) must each be found. */
function assertAll(result: Awaited<ReturnType<typeof catalogLayer>>, name: (i: number) => string, label: string): void {
  const names = new Set(result.packages.map((p) => p.name));
  let missing = 0;
  let firstMissing = '';
  for (let i = 0; i < N; i++) {
    if (!names.has(name(i))) {
      if (!missing) firstMissing = name(i);
      missing++;
    }
  }
  assert.equal(missing, 0, `${label}: ${missing} of ${N} packages missing (first: ${firstMissing}); warnings: ${JSON.stringify(result.warnings.slice(0, 3))}`);
  for (const w of result.warnings) assert.ok(w.path, `${label}: every warning names a file: ${JSON.stringify(w)}`);
}

/** A text file built from N pieces, split into several files of at most `maxBytes` each. */
function splitText(piece: (i: number) => string, head: string, tail: string, maxBytes: number, sep = ''): string[] {
  const files: string[] = [];
  let parts: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; i < N; i++) {
    const s = piece(i);
    if (size + s.length + sep.length > maxBytes && parts.length) {
      files.push(head + parts.join(sep) + tail);
      parts = [];
      size = head.length + tail.length;
    }
    parts.push(s);
    size += s.length + sep.length;
  }
  files.push(head + parts.join(sep) + tail);
  return files;
}

const p = (i: number) => `p${i}`;

test('dpkg: a status file of half a million stanzas', async () => {
  const parts: string[] = [];
  for (let i = 0; i < N; i++) parts.push(`Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\n\n`);
  const r = await catalogLayer({ 'var/lib/dpkg/status': parts.join('') }, dpkgCataloger);
  assertAll(r, p, 'dpkg');
});

test('apk: an installed database of half a million entries', async () => {
  const parts: string[] = [];
  for (let i = 0; i < N; i++) parts.push(`P:p${i}\nV:1.${i}-r0\nA:x86_64\nL:MIT\n\n`);
  const r = await catalogLayer({ 'lib/apk/db/installed': parts.join('') }, apkCataloger);
  assertAll(r, p, 'apk');
});

/** An rpm header blob with the tags the cataloger reads, laid out as rpm does. */
function rpmHeader(name: string, version: string): Buffer {
  const fields: [number, string][] = [
    [TAG.NAME, name],
    [TAG.VERSION, version],
    [TAG.RELEASE, '1'],
    [TAG.ARCH, 'x86_64'],
  ];
  const index = Buffer.alloc(fields.length * 16);
  const data: Buffer[] = [];
  let off = 0;
  fields.forEach(([tag, s], i) => {
    const b = Buffer.from(s + '\0');
    index.writeUInt32BE(tag, i * 16);
    index.writeUInt32BE(6, i * 16 + 4);
    index.writeUInt32BE(off, i * 16 + 8);
    index.writeUInt32BE(1, i * 16 + 12);
    data.push(b);
    off += b.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(fields.length, 0);
  head.writeUInt32BE(off, 4);
  return Buffer.concat([head, index, ...data]);
}

test('rpm: an rpmdb.sqlite of half a million headers', async () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < N; i++) ins.run(rpmHeader(`p${i}`, `1.${i}`));
  })();
  const file = db.serialize();
  db.close();
  const r = await catalogLayer({ 'var/lib/rpm/rpmdb.sqlite': file }, rpmCataloger);
  assertAll(r, p, 'rpm');
});

test('npm: a package-lock.json of half a million packages', async () => {
  const pkgs: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (let i = 0; i < N; i++) pkgs[`node_modules/p${i}`] = { version: `1.0.${i}` };
  const r = await catalogLayer({ 'app/package-lock.json': JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages: pkgs }) }, npmCataloger);
  assertAll(r, p, 'package-lock');
});

test('npm: a yarn.lock of half a million packages', async () => {
  const parts = ['# yarn lockfile v1\n\n'];
  for (let i = 0; i < N; i++) parts.push(`p${i}@^1.0.0:\n  version "1.0.${i}"\n\n`);
  const r = await catalogLayer({ 'app/yarn.lock': parts.join('') }, npmCataloger);
  assertAll(r, p, 'yarn.lock');
});

test('npm: a pnpm-lock.yaml of half a million packages', async () => {
  const parts = ["lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies: {}\n\npackages:\n\n"];
  for (let i = 0; i < N; i++) parts.push(`  p${i}@1.0.${i}:\n    resolution: {integrity: sha512-x}\n\n`);
  const r = await catalogLayer({ 'app/pnpm-lock.yaml': parts.join('') }, npmCataloger);
  assertAll(r, p, 'pnpm-lock');
});

test('python: half a million dist-info folders', async () => {
  const files: Record<string, MemoryEntry> = {};
  for (let i = 0; i < N; i++) files[`usr/lib/python3/site-packages/p${i}-1.0.dist-info/METADATA`] = `Metadata-Version: 2.1\nName: p${i}\nVersion: 1.0\n`;
  const r = await catalogLayer(files, pythonCataloger);
  assertAll(r, p, 'python');
});

test('rust: Cargo.lock files listing half a million crates', async () => {
  const files: Record<string, MemoryEntry> = {};
  splitText((i) => `[[package]]\nname = "p${i}"\nversion = "1.0.${i}"\n\n`, 'version = 3\n\n', '', 15 * 1024 * 1024).forEach((t, k) => (files[`src/app${k}/Cargo.lock`] = t));
  const r = await catalogLayer(files, rustCataloger);
  assertAll(r, p, 'Cargo.lock');
});

test('gem: Gemfile.lock files listing half a million gems', async () => {
  const files: Record<string, MemoryEntry> = {};
  splitText((i) => `    p${i} (1.0.${i})\n`, 'GEM\n  remote: https://rubygems.org/\n  specs:\n', '\nPLATFORMS\n  ruby\n', 7 * 1024 * 1024).forEach((t, k) => (files[`srv/app${k}/Gemfile.lock`] = t));
  const r = await catalogLayer(files, gemCataloger);
  assertAll(r, p, 'Gemfile.lock');
});

test('composer: composer.lock files listing half a million packages', async () => {
  const files: Record<string, MemoryEntry> = {};
  splitText((i) => `{"name":"v/p${i}","version":"1.0.${i}"}`, '{"packages":[', ']}', 31 * 1024 * 1024, ',').forEach((t, k) => (files[`srv/app${k}/composer.lock`] = t));
  const r = await catalogLayer(files, composerCataloger);
  assertAll(r, (i) => `v/p${i}`, 'composer.lock');
});

test('dotnet: deps.json files listing half a million libraries', async () => {
  const files: Record<string, MemoryEntry> = {};
  const per = 50_000;
  for (let k = 0; k < N / per; k++) {
    const target: Record<string, unknown> = {};
    const libraries: Record<string, unknown> = {};
    for (let i = k * per; i < (k + 1) * per; i++) {
      target[`p${i}/1.0.0`] = { runtime: { [`lib/p${i}.dll`]: {} } };
      libraries[`p${i}/1.0.0`] = { type: 'package', serviceable: true, sha512: 'sha512-x' };
    }
    files[`app${k}/app.deps.json`] = JSON.stringify({ runtimeTarget: { name: '.NETCoreApp,Version=v8.0' }, targets: { '.NETCoreApp,Version=v8.0': target }, libraries });
  }
  const r = await catalogLayer(files, dotnetCataloger);
  assertAll(r, p, 'deps.json');
});

test('go: binaries whose build info lists half a million modules', async () => {
  // Build info is read up to 8 MiB per binary: four binaries of 125,000 modules each.
  const files: Record<string, MemoryEntry> = {};
  const per = Math.ceil(N / 4);
  for (let k = 0; k * per < N; k++) {
    const lines = [`path\texample.com/app${k}`, `mod\texample.com/app${k}\t(devel)\t`];
    for (let i = k * per; i < Math.min(N, (k + 1) * per); i++) lines.push(`dep\texample.com/p${i}\tv1.0.${i}\th1:x=`);
    files[`usr/bin/app${k}`] = makeGoBinary('elf', 'inline', 'go1.22.1', lines.join('\n') + '\n');
  }
  const r = await catalogLayer(files, goBinaryCataloger);
  assertAll(r, (i) => `example.com/p${i}`, 'go');
});

test('embedded SBOM: a CycloneDX document of half a million components', async () => {
  const components = [];
  for (let i = 0; i < N; i++) components.push({ type: 'library', 'bom-ref': `c${i}`, name: `p${i}`, version: '1.0.0', purl: `pkg:generic/p${i}@1.0.0` });
  const doc = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components });
  const r = await catalogLayer({ 'opt/app.cdx.json': doc }, embeddedSbomCataloger);
  assertAll(r, p, 'CycloneDX');
});

test('java: fat jars holding half a million pom.properties', async () => {
  // One archive yields at most 20,000 artifacts: 25 jars of 20,000.
  const files: Record<string, MemoryEntry> = {};
  const per = 20_000;
  for (let k = 0; k * per < N; k++) {
    const entries = [];
    for (let i = k * per; i < Math.min(N, (k + 1) * per); i++) entries.push({ name: `META-INF/maven/org.big/p${i}/pom.properties`, data: `groupId=org.big\nartifactId=p${i}\nversion=1.0\n` });
    files[`app/lib/fat${k}.jar`] = makeZip(entries);
  }
  const r = await catalogLayer(files, javaCataloger);
  assertAll(r, p, 'java');
});
