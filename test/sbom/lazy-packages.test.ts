/**
 * An SBOM served from the catalog cache carries its packages as text until something reads
 * them (src/sbom/lazy-packages.ts). Whatever reads it must not be able to tell: the Scout JSON
 * written from the text is the JSON written from the objects, byte for byte, and reading or
 * replacing the packages behaves as on a plain object.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LayerCache } from '../../src/image/cache.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { scoutJsonChunks, writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import { topLevelPackagesJson, unreadPackagesJson, withPackagesFromJson } from '../../src/sbom/lazy-packages.js';
import type { Sbom } from '../../src/sbom/model.js';
import { DEMO_IMAGE } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';

async function freshAndCached(): Promise<{ fresh: Sbom; cached: Sbom }> {
  const cache = new LayerCache(join(tempDir(), 'layers'));
  const fresh = await sbomForImage(await openImage(DEMO_IMAGE), undefined, { cache });
  const cached = await sbomForImage(await openImage(DEMO_IMAGE), undefined, { cache });
  assert.equal(fresh.fromCache, false);
  assert.equal(cached.fromCache, true);
  // Set, not spread: spreading reads every property, the packages too.
  cached.sbom.generatedAt = fresh.sbom.generatedAt;
  assert.ok(unreadPackagesJson(cached.sbom) !== undefined, 'served as text');
  return { fresh: fresh.sbom, cached: cached.sbom };
}

test('Scout JSON of a cached SBOM whose packages nothing read is the JSON of the same SBOM read fresh, byte for byte', async () => {
  const { fresh, cached } = await freshAndCached();
  assert.ok(fresh.packages.length >= 5);
  assert.equal(writeScoutJson(cached), writeScoutJson(fresh));
  assert.ok(unreadPackagesJson(cached) !== undefined, 'writing did not parse them');
});

test('reading the packages parses them once; replacing or changing them shows in what is written', async () => {
  const { fresh, cached } = await freshAndCached();
  assert.deepEqual(Object.keys(cached), Object.keys(fresh), 'the same keys in the same order');
  const read = cached.packages;
  assert.deepEqual(read, fresh.packages);
  assert.equal(cached.packages, read, 'parsed once: the same array on every read');
  assert.equal(unreadPackagesJson(cached), undefined);
  read[0].name = 'changed';
  assert.match(writeScoutJson(cached), /"name": "changed"/);
  // Replaced before anything read them: the new packages are what is written.
  const { cached: other } = await freshAndCached();
  assert.ok(unreadPackagesJson(other) !== undefined);
  other.packages = [];
  assert.equal(unreadPackagesJson(other), undefined);
  assert.deepEqual((JSON.parse(writeScoutJson(other)) as Sbom).packages, []);
});

test('the text is the packages as JSON.stringify writes them at the top level, for none and for many, in any script', () => {
  const pkg = { id: 'a', name: 'x "quoted"\n', version: '1', type: 'npm', purl: 'pkg:npm/x@1', licenses: [{ spdx: 'MIT' }], locations: [{ path: '/p' }], foundBy: 'npm-cataloger' };
  // Beyond Latin-1 (a Debian maintainer's name, a symbol, an emoji: two and four UTF-8 bytes,
  // a surrogate pair in the string): the cached bytes must decode and be written as the text.
  const intl = { ...pkg, id: 'c', name: 'naïve', author: 'Łukasz Żółć ✓ 😀', metadata: { note: '日本語' } };
  for (const packages of [[], [pkg], [pkg, { ...pkg, id: 'b', metadata: { deep: { list: [1, 2] } } }], [pkg, intl]]) {
    const sbom = { schema: 'iechor-scout/sbom@1', packages, packageCount: packages.length, warnings: [] } as unknown as Sbom;
    const lazy = () => withPackagesFromJson({ ...sbom, packages: [] }, Buffer.from(topLevelPackagesJson(packages), 'utf8'));
    assert.equal(writeScoutJson(lazy()), writeScoutJson(sbom));
    // The pieces the CLI writes are the same document, byte for byte, and leave the packages unread.
    const unread = lazy();
    const pieces = scoutJsonChunks(unread);
    assert.ok(Array.isArray(pieces), 'unread packages are written as bytes');
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(writeScoutJson(sbom), 'utf8'));
    assert.ok(unreadPackagesJson(unread) !== undefined);
    assert.deepEqual(lazy().packages, packages);
  }
});
