/**
 * Fuzz targets: each takes bytes (mutated from a real-format seed, or random) and must return
 * normally or throw a ScoutError; anything else (TypeError, RangeError, a hang) is a bug.
 * Shared by the short run in `npm test` (fuzz.test.ts) and `npm run fuzz`.
 */
import { apkCataloger } from '../../src/catalog/apk/index.js';
import { composerCataloger } from '../../src/catalog/composer/index.js';
import { dotnetCataloger } from '../../src/catalog/dotnet/index.js';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { embeddedSbomCataloger } from '../../src/catalog/embedded-sbom/index.js';
import { gemCataloger } from '../../src/catalog/gem/index.js';
import { npmCataloger } from '../../src/catalog/npm/index.js';
import { pythonCataloger } from '../../src/catalog/python/index.js';
import { catalogTree } from '../../src/catalog/run.js';
import { rustCataloger } from '../../src/catalog/rust/index.js';
import type { Cataloger } from '../../src/catalog/types.js';
import { ImportReport } from '../../src/advisories/import/report.js';
import { osvFromDocument } from '../../src/advisories/import/osv.js';
import { treeFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';
import { readSbom } from '../../src/sbom/formats/detect.js';
import { ALL_SCHEMES } from '../../src/versions/index.js';
import { ScoutError } from '../../src/util/errors.js';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CompiledCapture } from '../../src/image/capture.js';
import { indexTarStream } from '../../src/image/layer/tar-index.js';
import { parseManifestOrIndex } from '../../src/image/manifest.js';
import { scoutNodeArgs } from '../helpers/cli.js';
import { tarOf } from '../helpers/image-builder.js';
import { makeZip } from '../helpers/zip-writer.js';
import { javaArchiveResult } from '../../src/catalog/java/archive.js';
import { ImageBudget } from '../../src/image/image-budget.js';
import type { FileAnalyzer } from '../../src/image/capture.js';
import { cargoAuditableAnalyzer } from '../../src/catalog/rust/index.js';
import { eggZipAnalyzer } from '../../src/catalog/python/egg-zip.js';
import { nodeBinaryAnalyzer, nodeRuntimeCataloger } from '../../src/catalog/runtimes/node.js';
import { pythonRuntimeCataloger } from '../../src/catalog/runtimes/python.js';
import { openjdkRuntimeCataloger } from '../../src/catalog/runtimes/openjdk.js';
import { goToolchainCataloger } from '../../src/catalog/runtimes/go.js';
import { deflateSync } from 'node:zlib';
import { goBinaryCataloger } from '../../src/catalog/golang/index.js';
import { readGoBuildInfo } from '../../src/catalog/golang/buildinfo.js';
import { packageFromHeader, rpmCataloger } from '../../src/catalog/rpm/index.js';
import { readBdbHash } from '../../src/catalog/rpm/bdb.js';
import { RpmHeader } from '../../src/catalog/rpm/header.js';
import { readNdb } from '../../src/catalog/rpm/ndb.js';
import { readRpmdbBlobs } from '../../src/catalog/rpm/sqlite-read.js';
import { makeExecutable, makeGoBinary } from '../catalog/golang/binaries.js';
import { BDB_RPMDB, ndbRpmdb, sqliteRpmdb } from './rpm-seeds.js';

export interface FuzzTarget {
  name: string;
  /** Real-format inputs the fuzzer mutates. */
  seeds: (string | Buffer)[];
  /** Share of the run's cases this target gets (a whole CLI process per case is slow). */
  share?: number;
  /** Must not throw anything but a ScoutError. `work`: a folder for files the target makes. */
  run(input: Buffer, work: string): Promise<void> | void;
}

/** `beside`: fixed files the cataloger needs next to the fuzzed one (a binary beside its header, METADATA beside RECORD). */
function catalogerTarget(name: string, c: Cataloger, path: string, seeds: (string | Buffer)[], share?: number, beside: Record<string, MemoryEntry> = {}): FuzzTarget {
  return {
    name,
    seeds,
    ...(share !== undefined ? { share } : {}),
    async run(input) {
      const tree = await treeFromMemory([{ ...beside, [path]: input }], c.capture);
      const r = catalogTree(tree, [c]);
      // A cataloger reports bad input as warnings naming the file; an exception it threw would
      // surface here as a warning with the cataloger's fallback code.
      const crashed = r.warnings.find((w) => w.code === `cataloger-${c.name}`);
      if (crashed) throw new Error(`${c.name} threw: ${crashed.message}`);
    },
  };
}

const JSON_SEED = (o: unknown) => JSON.stringify(o);

/**
 * A file analyzer of the layer pass (binaries, zipped eggs): called directly, where only a
 * ScoutError may come out (the layer pass turns anything into a warning), then through the
 * layer pass and the cataloger that reads its results.
 */
function analyzerTarget(name: string, c: Cataloger, a: FileAnalyzer, path: string, seeds: Buffer[], beside: Record<string, MemoryEntry> = {}): FuzzTarget {
  const whole = catalogerTarget(name, c, path, seeds, undefined, beside);
  return {
    ...whole,
    async run(input, work) {
      try {
        a.analyze(input, `/${path}`, {});
      } catch (err) {
        if (!(err instanceof ScoutError)) throw err;
      }
      await whole.run(input, work);
    },
  };
}

/** cargo-auditable's .dep-v0 section: zlib-compressed JSON of the dependency tree. */
const AUDITABLE_JSON = JSON_SEED({ packages: [{ name: 'app', version: '0.1.0', source: 'local', root: true, dependencies: [1, 2] }, { name: 'serde', version: '1.0.197', source: 'crates.io', dependencies: [2] }, { name: 'cc', version: '1.0.90', source: 'crates.io', kind: 'build' }] });
const AUDITABLE_SEEDS = (['elf', 'macho', 'pe'] as const).map((f) => makeExecutable(f, '.dep-v0', () => deflateSync(AUDITABLE_JSON)));
const EGG_SEED = makeZip([
  { name: 'EGG-INFO/PKG-INFO', data: 'Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n' },
  { name: 'EGG-INFO/top_level.txt', data: 'six\n' },
  { name: 'EGG-INFO/requires.txt', data: 'requests>=2\n\n[socks]\nPySocks\n' },
]);
/** An ELF stub naming its version the way node binaries do (their release headers URL). */
const NODE_BINARY_SEED = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(120), Buffer.from('https://nodejs.org/download/release/v20.11.1/node-v20.11.1-headers.tar.gz\0node/v20.11.1\0')]);
const ELF_STUB = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(200)]);
const PY_METADATA = 'Metadata-Version: 2.1\nName: x\nVersion: 1.0\n';

/**
 * An rpm database backend: its reader and every header blob it yields are called directly (the
 * cataloger turns any exception into a warning naming the file, which would hide a crash
 * here), then the whole cataloger runs on the file in a layer.
 */
function rpmTarget(name: string, path: string, read: (b: Buffer) => { blobs: Buffer[] }, seed: Buffer, share?: number): FuzzTarget {
  const whole = catalogerTarget(name, rpmCataloger, path, [seed], share);
  return {
    ...whole,
    async run(input, work) {
      try {
        for (const blob of read(input).blobs) {
          try {
            packageFromHeader(new RpmHeader(blob), `/${path}`, undefined);
          } catch (err) {
            if (!(err instanceof ScoutError)) throw err;
          }
        }
      } catch (err) {
        if (!(err instanceof ScoutError)) throw err;
      }
      await whole.run(input, work);
    },
  };
}

/** Build info naming a main module, dependencies, a replacement and build settings. */
const GO_MODINFO = 'path\texample.com/app/cmd/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/text\tv0.14.0\th1:abc=\ndep\tgithub.com/a/b\tv1.2.3\t\n=>\tgithub.com/fork/b\tv1.2.4\th1:def=\nbuild\t-ldflags="-X main.version=v2.1.0"\nbuild\tGOOS=linux\n';
/** Small Go binaries of every format and both build-info layouts, and one real binary (Trivy's test data). */
const GO_SEEDS = [
  ...(['elf', 'macho', 'pe'] as const).flatMap((f) => (['inline', 'pointer'] as const).map((style) => makeGoBinary(f, style, 'go1.22.1', GO_MODINFO))),
  readFileSync(new URL('../fixtures/catalogers/golang/trivy-elf-ldflags-main-version/main-version-via-ldflags.elf', import.meta.url)),
];

const POM = (a: string) => ({ name: `META-INF/maven/org.fuzz/${a}/pom.properties`, data: `groupId=org.fuzz\nartifactId=${a}\nversion=1.0\n` });
/** A jar (manifest, pom.properties, pom.xml) holding a stored and a deflated nested jar. */
const JAVA_SEED = makeZip([
  { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\nImplementation-Title: outer\r\nImplementation-Version: 2.0\r\n\r\n' },
  POM('outer'),
  { name: 'META-INF/maven/org.fuzz/outer/pom.xml', data: '<project><licenses><license><name>MIT</name></license></licenses></project>' },
  { name: 'lib/inner-1.0.jar', data: makeZip([POM('inner'), { name: 'lib/deep.jar', data: makeZip([POM('deep')]) }]), method: 0 },
  { name: 'WEB-INF/lib/other.jar', data: makeZip([POM('other')]) },
]);

/** The demo image: a docker-archive tar (manifest.json, config, three layer tars). */
const DEMO_TAR = readFileSync(new URL('../../examples/demo-image.tar', import.meta.url));
/** A layer tar with a file, a folder, links, a whiteout and a long (pax) name: the parser's seed. */
const LAYER_TAR = await tarOf({
  'etc/': { dir: true },
  'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n',
  'usr/bin/sh': { symlink: 'busybox' },
  'usr/bin/ash': { hardlink: 'usr/bin/busybox' },
  'usr/bin/busybox': { content: Buffer.alloc(700, 1), mode: 0o755 },
  'var/cache/old': { whiteout: true },
  [`opt/${'long-name/'.repeat(15)}file`]: 'x',
});
const ALL_FILES = new CompiledCapture({ selectors: [{ globs: ['**'] }], analyzers: [] });

export const TARGETS: FuzzTarget[] = [
  catalogerTarget('dpkg-status', dpkgCataloger, 'var/lib/dpkg/status', [
    'Package: a\nStatus: install ok installed\nVersion: 1:2.3-4\nArchitecture: amd64\nDepends: b (>= 1) | c, d\nSource: s (1.0)\n\nPackage: b\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n',
  ]),
  catalogerTarget('apk-installed', apkCataloger, 'lib/apk/db/installed', ['P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\nD:so:libc.musl\np:so:libc.musl-x86_64.so.1=1\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\n']),
  catalogerTarget('package-lock', npmCataloger, 'app/package-lock.json', [
    JSON_SEED({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages: { '': { name: 'app', version: '1.0.0', dependencies: { a: '^1' } }, 'node_modules/a': { version: '1.0.0', dependencies: { b: '2' } }, 'node_modules/a/node_modules/b': { version: '2.0.0' } } }),
    JSON_SEED({ name: 'app', lockfileVersion: 1, dependencies: { a: { version: '1.0.0', requires: { b: '2' }, dependencies: { b: { version: '2.0.0' } } } } }),
  ]),
  catalogerTarget('yarn-lock', npmCataloger, 'app/yarn.lock', ['# yarn lockfile v1\n\n"a@^1.0.0", a@^1.1:\n  version "1.2.0"\n  dependencies:\n    b "^2"\n\nb@^2:\n  version "2.0.1"\n', '__metadata:\n  version: 6\n\n"a@npm:^1.0.0":\n  version: 1.2.0\n  resolution: "a@npm:1.2.0"\n']),
  catalogerTarget('pnpm-lock', npmCataloger, 'app/pnpm-lock.yaml', ["lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\nsnapshots:\n  a@1.0.0:\n    dependencies:\n      b: 2.0.0\n"]),
  catalogerTarget('python-metadata', pythonCataloger, 'usr/lib/python3/site-packages/x-1.0.dist-info/METADATA', ['Metadata-Version: 2.1\nName: x\nVersion: 1.0\nLicense: MIT\nRequires-Dist: y (>=1) ; python_version < "3.8"\nAuthor-email: A <a@b.c>\n\nbody\n']),
  catalogerTarget('cargo-lock', rustCataloger, 'src/Cargo.lock', ['version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "00"\ndependencies = [\n "b 2.0.0",\n]\n\n[[package]]\nname = "b"\nversion = "2.0.0"\n']),
  catalogerTarget('gemfile-lock', gemCataloger, 'srv/Gemfile.lock', ['GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.8)\n    rails (7.1.0)\n      rack (>= 2)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails\n']),
  catalogerTarget('composer-lock', composerCataloger, 'srv/composer.lock', [JSON_SEED({ packages: [{ name: 'v/a', version: '1.0.0', license: ['MIT'], require: { 'v/b': '^2' } }, { name: 'v/b', version: '2.0.0' }], 'packages-dev': [] })]),
  catalogerTarget('deps-json', dotnetCataloger, 'app/app.deps.json', [JSON_SEED({ runtimeTarget: { name: 'T' }, targets: { T: { 'app/1.0.0': { dependencies: { A: '1.0.0' } }, 'A/1.0.0': { runtime: { 'lib/A.dll': {} } } } }, libraries: { 'app/1.0.0': { type: 'project' }, 'A/1.0.0': { type: 'package', sha512: 'sha512-x' } } })]),
  catalogerTarget('embedded-cyclonedx', embeddedSbomCataloger, 'opt/app.cdx.json', [JSON_SEED({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', 'bom-ref': 'a', name: 'a', version: '1', purl: 'pkg:npm/a@1' }], dependencies: [{ ref: 'a', dependsOn: [] }] })]),
  {
    // A mutated executable: ELF, Mach-O and PE headers, the build info header, its pointers and
    // varint lengths, then the module text; read directly and through the layer pass and cataloger.
    name: 'go-buildinfo',
    seeds: GO_SEEDS,
    async run(input) {
      try {
        readGoBuildInfo(input, '/usr/bin/app');
      } catch (err) {
        if (!(err instanceof ScoutError)) throw err;
      }
      const tree = await treeFromMemory([{ 'usr/bin/app': input }], goBinaryCataloger.capture);
      const r = catalogTree(tree, [goBinaryCataloger]);
      const crashed = r.warnings.find((w) => w.code === `cataloger-${goBinaryCataloger.name}`);
      if (crashed) throw new Error(`${goBinaryCataloger.name} threw: ${crashed.message}`);
    },
  },
  // The rpm database in each of rpm's backends: SQLite (on its worker thread, with its time and
  // memory budget), NDB slots and blobs, Berkeley DB hash and overflow pages; each header blob.
  rpmTarget('rpm-sqlite', 'var/lib/rpm/rpmdb.sqlite', readRpmdbBlobs, sqliteRpmdb()),
  rpmTarget('rpm-ndb', 'usr/lib/sysimage/rpm/Packages.db', readNdb, ndbRpmdb()),
  rpmTarget('rpm-bdb', 'var/lib/rpm/Packages', readBdbHash, BDB_RPMDB),
  analyzerTarget('cargo-auditable', rustCataloger, cargoAuditableAnalyzer, 'usr/bin/app', AUDITABLE_SEEDS),
  analyzerTarget('python-egg-zip', pythonCataloger, eggZipAnalyzer, 'usr/lib/python3/site-packages/six-1.16.0-py3.12.egg', [EGG_SEED]),
  analyzerTarget('node-binary', nodeRuntimeCataloger, nodeBinaryAnalyzer, 'usr/local/bin/node', [NODE_BINARY_SEED]),
  catalogerTarget('node-version-h', nodeRuntimeCataloger, 'usr/local/include/node/node_version.h', ['#define NODE_MAJOR_VERSION 20\n#define NODE_MINOR_VERSION 11\n#define NODE_PATCH_VERSION 1\n'], undefined, { 'usr/local/bin/node': ELF_STUB }),
  catalogerTarget('python-patchlevel-h', pythonRuntimeCataloger, 'usr/local/include/python3.12/patchlevel.h', ['#define PY_MAJOR_VERSION 3\n#define PY_VERSION "3.12.2"\n'], undefined, { 'usr/local/bin/python3.12': ELF_STUB }),
  catalogerTarget('openjdk-release', openjdkRuntimeCataloger, 'opt/java/openjdk/release', ['IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="21.0.2"\nJAVA_RUNTIME_VERSION="21.0.2+13-LTS"\n']),
  catalogerTarget('go-toolchain-version', goToolchainCataloger, 'usr/local/go/VERSION', ['go1.22.1\ntime 2024-02-29T18:18:18Z\n']),
  catalogerTarget('npm-package-json', npmCataloger, 'app/node_modules/a/package.json', [JSON_SEED({ name: 'a', version: '1.2.3', license: 'MIT', author: { name: 'A', email: 'a@b.c' }, dependencies: { b: '^2' }, repository: { type: 'git', url: 'https://github.com/a/a' } })], undefined, { 'app/package.json': JSON_SEED({ name: 'app', version: '1.0.0', dependencies: { a: '^1' } }) }),
  catalogerTarget('gemspec', gemCataloger, 'usr/local/lib/ruby/gems/3.3.0/specifications/rack-3.0.8.gemspec', ['# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "3.0.8"\n  s.licenses = ["MIT".freeze]\n  s.authors = ["Leah Neukirchen".freeze]\n  s.add_runtime_dependency(%q<webrick>.freeze, [">= 0"])\nend\n']),
  catalogerTarget('composer-installed', composerCataloger, 'srv/vendor/composer/installed.json', [JSON_SEED({ packages: [{ name: 'v/a', version: '1.0.0', version_normalized: '1.0.0.0', license: ['MIT'], require: { 'v/b': '^2' }, authors: [{ name: 'A' }] }, { name: 'v/b', version: 'v2.0.0' }], dev: true })]),
  catalogerTarget('python-record', pythonCataloger, 'usr/lib/python3/site-packages/x-1.0.dist-info/RECORD', ['x/__init__.py,sha256=abc,12\nx-1.0.dist-info/METADATA,,\n"x/with,comma.py",sha256=def,3\n'], undefined, { 'usr/lib/python3/site-packages/x-1.0.dist-info/METADATA': PY_METADATA }),
  catalogerTarget('embedded-spdx', embeddedSbomCataloger, 'opt/app.spdx.json', [JSON_SEED({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'd', documentNamespace: 'https://e/d', creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: t'] }, packages: [{ SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }] }] })]),
  {
    name: 'sbom-import',
    seeds: [
      JSON_SEED({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', 'bom-ref': 'x', name: 'x', version: '1', purl: 'pkg:npm/x@1', licenses: [{ expression: 'MIT OR Apache-2.0' }] }] }),
      JSON_SEED({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'd', documentNamespace: 'https://e/d', creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: t'] }, packages: [{ SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1', licenseDeclared: 'MIT', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }] }], relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-a' }] }),
    ],
    run(input) {
      readSbom(input);
    },
  },
  {
    // The layer pass over a mutated layer tar: headers, pax records, sizes, names.
    name: 'tar-layer',
    seeds: [LAYER_TAR],
    async run(input) {
      await indexTarStream(Readable.from([input]), 'sha256:fuzz', ALL_FILES, 'layer 0');
    },
  },
  {
    name: 'manifest-index',
    seeds: [
      JSON_SEED({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'b'.repeat(64)}`, size: 20, urls: ['https://x/y'] }] }),
      JSON_SEED({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 30, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] }),
      JSON_SEED({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] }),
    ],
    run(input) {
      parseManifestOrIndex(input, 'fuzz');
    },
  },
  {
    // The whole CLI on a mutated image archive: the exit code says what happened (0 read,
    // 3 a layer failed, 1 an error in one line), never a crash, a stack trace or an overrun
    // heap (the child gets 512 MB).
    name: 'cli-exit-code',
    seeds: [DEMO_TAR],
    share: 0.1,
    run(input, work) {
      const file = join(work, 'image.tar');
      writeFileSync(file, input);
      const r = spawnSync(process.execPath, ['--max-old-space-size=512', ...scoutNodeArgs('image', 'inspect', file, '--format', 'json')], {
        encoding: 'utf8',
        // SCOUT_CACHE_DIR and TMPDIR: the engine's sandbox, checked after the case.
        env: { ...process.env, CI: '1' },
        timeout: 60_000,
      });
      const code = r.status;
      if (code === 0 || code === 3) {
        JSON.parse(r.stdout);
        if (code === 3 && !/warning:/.test(r.stderr)) throw new Error(`exit 3 without naming the failed layer: ${r.stderr}`);
        return;
      }
      if (code !== 1) throw new Error(`exit ${code} (signal ${r.signal}): ${r.stderr.slice(-2000)}`);
      const last = r.stderr.trim().split('\n').pop() ?? '';
      if (!last.startsWith('error: ') || /\n\s+at /.test(r.stderr)) throw new Error(`exit 1 without a one-line error: ${r.stderr.slice(-2000)}`);
      const made = readdirSync(work).filter((n) => n !== 'image.tar');
      if (made.length) throw new Error(`the CLI wrote next to the archive: ${made.join(', ')}`);
    },
  },
  {
    name: 'osv-import',
    seeds: [JSON_SEED({ id: 'GHSA-1', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-1'], affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }], versions: ['1.0.0'] }], severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] })],
    run(input) {
      for (const _ of osvFromDocument(input.toString('utf8'), 'fuzz', new ImportReport('fuzz'))) void _;
    },
  },
  {
    // A mutated jar holding a nested jar: the zip reader, manifests, pom files and the image
    // budget's draws (a tiny budget, so mutated sizes and counts reach its edges).
    name: 'java-archive',
    seeds: [JAVA_SEED],
    run(input) {
      javaArchiveResult(input, '/app/fuzz.jar', { budget: new ImageBudget({ capturedBytes: 1 << 20, nestedArchives: 3, nestedEntries: 20, nestedBytes: 1 << 16, nestedDepth: 2, nestedMs: 1000 }) });
    },
  },
  {
    name: 'version-schemes',
    seeds: ['1:2.3~rc1-4ubuntu0.1 2.3-4', '1.2.3-alpha.1+build 1.2.3', 'v1.2.3-0.20240101000000-abcdef123456 v1.2.3', '1.0.0.Final-SNAPSHOT 1.0', '2.0rc1.post3.dev4 2.0'],
    run(input) {
      const text = input.toString('utf8');
      const i = text.indexOf(' ');
      const [a, b] = i < 0 ? [text, text] : [text.slice(0, i), text.slice(i + 1)];
      for (const s of ALL_SCHEMES) {
        try {
          const c = s.compare(a, b);
          if (Number.isNaN(c)) throw new Error(`${s.name}: compare(${JSON.stringify(a)}, ${JSON.stringify(b)}) is NaN`);
        } catch (err) {
          if (!(err instanceof ScoutError)) throw new Error(`${s.name}: compare(${JSON.stringify(a)}, ${JSON.stringify(b)}) threw ${String(err)}`, { cause: err });
        }
      }
    },
  },
];
