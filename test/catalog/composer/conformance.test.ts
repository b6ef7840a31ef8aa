import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { composerCataloger } from '../../../src/catalog/composer/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import { licenseText, normaliseLicense } from '../../../src/sbom/license.js';
import { canonicalPurl } from '../../../src/sbom/purl.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/composer/', import.meta.url));

type Expected = Record<string, unknown> & { name: string; version: string };

for (const caseName of readdirSync(FIXTURES).sort()) {
  test(`composer conformance: ${caseName}`, async () => {
    const c = JSON.parse(readFileSync(FIXTURES + caseName + '/expected.json', 'utf8')) as { packageCount: number; packages: Expected[] };
    const warnings = new Warnings();
    const tree = await treeFromDirectory(FIXTURES + caseName, composerCataloger.capture);
    const pkgs = composerCataloger.catalog(tree, { warnings });
    assert.equal(pkgs.length, c.packageCount);
    for (const exp of c.packages) {
      const known = new Set(['name', 'version', 'purl', 'type', 'licenses', 'metadata']);
      for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
      const got = pkgs.find((p) => p.name === exp.name && p.version === exp.version);
      assert.ok(got, `${exp.name}@${exp.version} not found`);
      assert.equal(exp.type, 'PhpComposerPkg');
      assert.equal(got.type, 'composer');
      assert.equal(got.purl, canonicalPurl(exp.purl as string));
      assert.deepEqual(got.licenses.map(licenseText), (exp.licenses as string[]).map((t) => normaliseLicense(t).map(licenseText).join(' AND ')));
      for (const [k, v] of Object.entries(exp.metadata as Record<string, unknown>)) {
        switch (k) {
          case 'Name': assert.equal(got.metadata?.name, v); break;
          case 'Version': assert.equal(got.metadata?.version, v); break;
          case 'Type': assert.equal(got.metadata?.type, v); break;
          default: assert.fail(`unmapped expected metadata field ${k}`);
        }
      }
    }
    assert.deepEqual(warnings.items, []);
  });
}

test('composer 1 and composer 2 installed.json yield the same packages', async () => {
  const scan = async (name: string) => {
    const tree = await treeFromDirectory(FIXTURES + name, composerCataloger.capture);
    return composerCataloger.catalog(tree, { warnings: new Warnings() }).map((p) => [p.purl, p.author, p.description, p.licenses]);
  };
  assert.deepEqual(await scan('syft-installed-json-composer1'), await scan('syft-installed-json-composer2'));
});
