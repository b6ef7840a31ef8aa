import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { goBinaryCataloger, stdlibVersion } from '../../../src/catalog/golang/index.js';
import { parseModInfo, readGoBuildInfo, versionFromLdflags } from '../../../src/catalog/golang/buildinfo.js';
import { indexFromMemory, treeFromMemory } from '../../../src/image/layer/memory-index.js';
import { ScoutError, Warnings } from '../../../src/util/errors.js';
import { framedModinfo, makeGoBinary, type ExeFormat } from './binaries.js';

const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\tv1.4.2\th1:appsum=',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:errsum=',
  'dep\tgolang.org/x/net\tv0.1.0\th1:oldnet=',
  '=>\tgithub.com/fork/net\tv0.2.0-fork\th1:forknet=',
  'dep\texample.com/local\tv1.0.0',
  '=>\t../local\t',
  'build\t-ldflags="-s -w -X main.version=2.0.0"',
  'build\tvcs.revision=0123456789abcdef',
  'build\tGOOS=linux',
  '',
].join('\n');

async function catalog(files: Record<string, Buffer>) {
  const tree = await treeFromMemory([files], goBinaryCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: goBinaryCataloger.catalog(tree, { warnings }), warnings: warnings.items };
}

for (const format of ['elf', 'macho', 'pe'] as ExeFormat[]) {
  for (const style of ['inline', 'pointer'] as const) {
    test(`reads ${style} build info from ${format}`, () => {
      const bin = makeGoBinary(format, style, 'go1.21.5', MODINFO);
      const info = readGoBuildInfo(bin, '/bin/app');
      assert.ok(info);
      assert.equal(info.goVersion, 'go1.21.5');
      assert.equal(info.path, 'example.com/app/cmd/app');
      assert.deepEqual(info.main, { path: 'example.com/app', version: 'v1.4.2', sum: 'h1:appsum=' });
      assert.deepEqual(info.deps.map((d) => [d.path, d.version, d.replace?.path, d.replace?.version]), [
        ['github.com/pkg/errors', 'v0.9.1', undefined, undefined],
        ['golang.org/x/net', 'v0.1.0', 'github.com/fork/net', 'v0.2.0-fork'],
        ['example.com/local', 'v1.0.0', '../local', ''],
      ]);
      assert.deepEqual(info.settings, [['-ldflags', '-s -w -X main.version=2.0.0'], ['vcs.revision', '0123456789abcdef'], ['GOOS', 'linux']]);
    });
  }
}

test('catalog: main module, replaced dependencies, stdlib, dependency edges, purls', async () => {
  const { pkgs, warnings } = await catalog({ '/usr/local/bin/app': makeGoBinary('elf', 'inline', 'go1.21.5 X:boringcrypto', MODINFO) });
  assert.deepEqual(warnings, []);
  const rows = pkgs.map((p) => [p.name, p.version, p.purl, p.relationship]);
  assert.deepEqual(rows, [
    ['example.com/app', 'v1.4.2', 'pkg:golang/example.com/app@v1.4.2', 'root'],
    ['stdlib', 'v1.21.5', 'pkg:golang/stdlib@v1.21.5', 'direct'],
    ['github.com/pkg/errors', 'v0.9.1', 'pkg:golang/github.com/pkg/errors@v0.9.1', 'unknown'],
    ['github.com/fork/net', 'v0.2.0-fork', 'pkg:golang/github.com/fork/net@v0.2.0-fork', 'unknown'],
    ['example.com/local', '', 'pkg:golang/example.com/local', 'unknown'],
  ]);
  const [root, ...deps] = pkgs;
  assert.deepEqual(root.dependsOn, deps.map((d) => d.id));
  assert.ok(deps.every((d) => d.dependencyOf?.[0] === root.id));
  assert.ok(pkgs.every((p) => p.locations[0].path === '/usr/local/bin/app' && p.type === 'golang'));
  assert.deepEqual(pkgs[3].metadata?.replaces, { path: 'golang.org/x/net', version: 'v0.1.0', replacement: 'github.com/fork/net', replacementVersion: 'v0.2.0-fork' });
  assert.equal((root.metadata?.buildSettings as Record<string, string>)['vcs.revision'], '0123456789abcdef');
});

test('catalog: (devel) main module takes a -X main.version stamp, else stays empty', async () => {
  const devel = MODINFO.replace('example.com/app\tv1.4.2\th1:appsum=', 'example.com/app\t(devel)\t');
  const { pkgs } = await catalog({ '/a': makeGoBinary('elf', 'inline', 'go1.22.0', devel) });
  assert.equal(pkgs[0].version, '2.0.0');
  const plain = devel.replace(/build\t-ldflags.*\n/, '');
  const { pkgs: p2 } = await catalog({ '/b': makeGoBinary('elf', 'inline', 'go1.22.0', plain) });
  assert.equal(p2[0].version, '');
  assert.equal(p2[0].purl, 'pkg:golang/example.com/app');
});

test('ldflags version stamps: key and value rules', () => {
  assert.equal(versionFromLdflags('-X main.version=v1.2.3'), 'v1.2.3');
  assert.equal(versionFromLdflags("-s -X 'github.com/x/y/cmd.Version=1.2.3'"), '1.2.3');
  assert.equal(versionFromLdflags('-X=main.ver=0.1.0'), '0.1.0');
  assert.equal(versionFromLdflags('-X main.commit=abc -X main.version=dev'), undefined);
  assert.equal(versionFromLdflags('-X main.name=v1.0.0'), undefined);
  assert.equal(stdlibVersion('go1.20'), 'v1.20');
  assert.equal(stdlibVersion('go1.23rc1'), 'v1.23rc1');
  assert.equal(stdlibVersion('devel go1.23-abc'), undefined);
});

test('modinfo without sentinels and with quoted build keys', () => {
  const m = parseModInfo('path\tx\nmod\tx\t(devel)\t\nbuild\t"weird key"="va\\"lue"\n');
  assert.equal(m.main?.path, 'x');
  assert.deepEqual(m.settings, [['weird key', 'va"lue']]);
});

test('non-Go executables and non-executables yield nothing', async () => {
  const elf = makeGoBinary('elf', 'inline', 'go1.21.0', MODINFO);
  const notGo = Buffer.from(elf);
  notGo.fill(0, 128, 128 + 14); // wipe the magic
  assert.equal(readGoBuildInfo(notGo), undefined);
  const { pkgs, warnings } = await catalog({ '/bin/c-program': notGo, '/etc/motd': Buffer.from('hello'.repeat(100)) });
  assert.deepEqual(pkgs, []);
  assert.deepEqual(warnings, []);
});

test('hostile: lying string lengths and dangling pointers are ScoutErrors naming the file, never crashes', async () => {
  const inline = makeGoBinary('elf', 'inline', 'go1.21.0', MODINFO);
  const bad = Buffer.from(inline);
  bad[128 + 32] = 0xff; // version length varint: 0x7f... continues
  bad[128 + 33] = 0xff;
  bad[128 + 34] = 0x7f; // ~2 MiB + , past the end
  assert.throws(() => readGoBuildInfo(bad, '/bin/evil'), (e: unknown) => e instanceof ScoutError && e.code === 'go-buildinfo-corrupt' && e.message.includes('/bin/evil'));

  const ptr = makeGoBinary('pe', 'pointer', 'go1.15.0', MODINFO);
  const dangling = Buffer.from(ptr);
  dangling.writeBigUInt64LE(0xdeadbeefn, 0x200 + 16);
  assert.throws(() => readGoBuildInfo(dangling, '/x.exe'), ScoutError);

  // Truncated binaries: nothing found before the header, a ScoutError after it; never a crash.
  for (const cut of [10, 64, 130]) assert.equal(readGoBuildInfo(inline.subarray(0, cut)), undefined);
  assert.throws(() => readGoBuildInfo(inline.subarray(0, 200), '/cut'), (e: unknown) => e instanceof ScoutError && e.code === 'go-buildinfo-corrupt');

  const index = await indexFromMemory({ '/bin/evil': bad }, goBinaryCataloger.capture);
  assert.deepEqual(index.warnings.map((w) => [w.code, w.path]), [['go-buildinfo-corrupt', '/bin/evil']]);
});

test('hostile: garbage section tables do not throw', () => {
  const elf = makeGoBinary('elf', 'inline', 'go1.21.0', MODINFO);
  for (let seed = 1; seed <= 200; seed++) {
    const b = Buffer.from(elf);
    // Deterministic scribbles over the ELF header, program header and section table.
    let x = seed * 2654435761;
    for (let i = 0; i < 8; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const at = i % 2 === 0 ? 16 + (x % 104) : b.length - 192 + (x % 192);
      b[at] = x & 0xff;
    }
    try {
      readGoBuildInfo(b, 'fuzz');
    } catch (err) {
      assert.ok(err instanceof ScoutError, `seed ${seed}: ${String(err)}`);
    }
  }
});

test('build info over 8 MiB is read up to 8 MiB, at a line end, with a warning naming the binary (it was dropped as "corrupt")', async () => {
  const lines = ['path\texample.com/huge', 'mod\texample.com/huge\tv1.0.0\t'];
  // Long module paths: fewer lines to build and catalogue for the same size.
  const long = 'x'.repeat(120);
  for (let i = 0; i < 80_000; i++) lines.push(`dep\texample.com/${long}/p${i}\tv1.0.${i}\th1:x=`);
  const text = lines.join('\n') + '\n';
  // The linker frames the text with 16-byte sentinels: the 8 MiB count from the framed bytes.
  const framed = framedModinfo(text).toString('latin1');
  assert.ok(framed.length > 10 * 1024 * 1024);
  // What the first 8 MiB hold, counted here by hand from the text.
  const expected = framed.slice(0, framed.lastIndexOf('\n', 8 * 1024 * 1024 - 1)).split('\n').filter((l) => l.startsWith('dep\t')).length;
  assert.ok(expected > 50_000 && expected < 80_000, String(expected));
  for (const style of ['inline', 'pointer'] as const) {
    const { pkgs, warnings } = await catalog({ '/usr/bin/huge': makeGoBinary('elf', style, 'go1.22.1', text) });
    assert.equal(pkgs.filter((p) => p.relationship === 'unknown').length, expected, style);
    const root = pkgs.find((p) => p.relationship === 'root');
    assert.equal(root?.name, 'example.com/huge', style);
    assert.equal(root?.metadata?.mainPackage, 'example.com/huge', `${style}: the path line is read past the start sentinel`);
    assert.ok(pkgs.some((p) => p.name === `example.com/${long}/p${expected - 1}`), style);
    assert.ok(!pkgs.some((p) => p.name === `example.com/${long}/p${expected}`), style);
    assert.deepEqual(warnings.map((w) => [w.code, w.path]), [['go-buildinfo-cut', '/usr/bin/huge']], style);
    assert.match(warnings[0].message, new RegExp(`^/usr/bin/huge: Go build info is ${framed.length} bytes, over the 8 MiB read per binary: only the ${expected} modules`));
  }
});

test('an ELF64 file header cut short is no executable (the fuzzer\'s 62-byte case threw a RangeError)', () => {
  const cut = readFileSync(new URL('../../fixtures/fuzz/go-buildinfo/elf64-header-cut-short', import.meta.url));
  assert.equal(cut.length, 62);
  assert.equal(readGoBuildInfo(cut), undefined);
  // The same header whole (64 bytes) parses, and still holds no build info.
  assert.equal(readGoBuildInfo(Buffer.concat([cut, Buffer.alloc(2)])), undefined);
  // A real binary cut to its first 62 bytes is the same case.
  const real = makeGoBinary('elf', 'inline', 'go1.22.1', 'path\tx\nmod\tx\tv1.0.0\t\n');
  assert.equal(readGoBuildInfo(real)?.main?.path, 'x');
  assert.equal(readGoBuildInfo(real.subarray(0, 62)), undefined);
});
