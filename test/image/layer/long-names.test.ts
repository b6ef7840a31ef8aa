/**
 * Names over 100 bytes, as real node_modules and Java trees have: GNU tar stores them in a pax
 * `path`/`linkpath` record, in the ustar `prefix` field, or in GNU `././@LongLink` entries
 * (type L for names, K for link targets). Each must come back whole, and an image built from
 * such a layer must be catalogued at the full path.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parseTar, type TarHeader } from '../../../src/image/layer/tar-parser.js';
import { gnuTar, type GnuTarEntry, type TarFormat } from '../../helpers/gnu-tar.js';
import { sbomOfLayers } from '../../helpers/sbom-of.js';

// 172 bytes, each segment short: fits ustar as prefix (≤ 155) + name (≤ 100).
const DEEP_DIR = 'app/node_modules/@some-organisation/a-rather-long-package-name/node_modules/another-dependency-name/node_modules/yet-another-package';
const DEEP_FILE = `${DEEP_DIR}/package.json`;
// 100+ byte base name and 300+ byte path: only pax and GNU can hold them.
const LONG_BASE = `${'very-long-file-name-'.repeat(6)}end.txt`;
const VERY_DEEP_DIR = `${DEEP_DIR}/${'sub-directory-level/'.repeat(8)}leaf`;
const LONG_TARGET = `/${VERY_DEEP_DIR}/${LONG_BASE}`;

const PACKAGE_JSON = JSON.stringify({ name: 'yet-another-package', version: '3.1.4', license: 'MIT' });

/** Every header parsed from `tar`, with the body of regular files. */
async function parsed(tar: Buffer): Promise<Map<string, TarHeader & { body?: string }>> {
  const out = new Map<string, TarHeader & { body?: string }>();
  await parseTar(Readable.from([tar]), (h) => {
    const entry: TarHeader & { body?: string } = { ...h };
    out.set(h.name, entry);
    if (h.type !== '0') return undefined;
    const chunks: Buffer[] = [];
    return { write: (c) => chunks.push(Buffer.from(c)), end: () => (entry.body = Buffer.concat(chunks).toString()) };
  });
  return out;
}

function entries(withLongest: boolean): [string, GnuTarEntry][] {
  const list: [string, GnuTarEntry][] = [
    ['app', { dir: true }],
    [DEEP_DIR, { dir: true }],
    [DEEP_FILE, PACKAGE_JSON],
  ];
  if (withLongest) {
    list.push(
      [VERY_DEEP_DIR, { dir: true }],
      [`${VERY_DEEP_DIR}/${LONG_BASE}`, 'long content'],
      [`app/link-to-long`, { symlink: LONG_TARGET }],
      [`${VERY_DEEP_DIR}/hard-${LONG_BASE}`, { hardlink: `${VERY_DEEP_DIR}/${LONG_BASE}` }],
    );
  }
  return list;
}

/** The formats and which members they can hold: ustar cannot store a 100+ byte base name or link. */
const FORMATS: [TarFormat, boolean, string][] = [
  ['pax', true, 'pax extended headers'],
  ['gnu', true, 'GNU ././@LongLink L and K entries'],
  ['oldgnu', true, 'old GNU long names'],
  ['ustar', false, 'the ustar prefix field'],
];

for (const [format, longest, how] of FORMATS) {
  test(`long names in a ${format} tar (${how}) are read whole`, async () => {
    const tar = gnuTar(entries(longest), format);
    const got = await parsed(tar);
    const deep = got.get(DEEP_FILE);
    assert.ok(deep, `${DEEP_FILE} (${DEEP_FILE.length} bytes) missing; got ${[...got.keys()].join(', ')}`);
    assert.equal(deep.type, '0');
    assert.equal(deep.body, PACKAGE_JSON);
    assert.equal(got.get(DEEP_DIR)?.type, '5');
    if (!longest) {
      assert.deepEqual([...got.keys()], ['app', DEEP_DIR, DEEP_FILE]);
      return;
    }
    assert.ok(VERY_DEEP_DIR.length > 255 && LONG_BASE.length > 100 && LONG_TARGET.length > 255);
    assert.equal(got.get(`${VERY_DEEP_DIR}/${LONG_BASE}`)?.body, 'long content');
    const link = got.get('app/link-to-long');
    assert.equal(link?.type, '2');
    assert.equal(link?.linkname, LONG_TARGET);
    const hard = got.get(`${VERY_DEEP_DIR}/hard-${LONG_BASE}`);
    assert.equal(hard?.type, '1');
    assert.equal(hard?.linkname, `${VERY_DEEP_DIR}/${LONG_BASE}`);
    // Names did not leak from one entry to the next: the set is exactly what was written.
    assert.deepEqual([...got.keys()].sort(), entries(true).map(([n]) => n).sort());
  });
}

test('an image whose layer GNU tar wrote with long names (each format) is catalogued at the full path', async () => {
  for (const [format] of FORMATS) {
    const { sbom } = await sbomOfLayers([gnuTar(entries(format !== 'ustar'), format)]);
    const npm = sbom.packages.filter((p) => p.type === 'npm');
    assert.deepEqual(npm.map((p) => [p.purl, p.locations[0].path]), [['pkg:npm/yet-another-package@3.1.4', `/${DEEP_FILE}`]], format);
  }
});
