import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gemCataloger } from '../../../src/catalog/gem/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { licenseText, normaliseLicense } from '../../../src/sbom/license.js';
import { canonicalPurl } from '../../../src/sbom/purl.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/gem/', import.meta.url));

type Expected = Record<string, unknown> & { name: string; version: string };

/** An expected license string in our normalised form (the shared normaliser, both sides). */
function key(text: string): string {
  const l = normaliseLicense(text);
  return l.length ? l.map(licenseText).join(' AND ') : text;
}

/** Both peers state name, version and license strings; Syft adds purl, type and GemSpecification metadata. */
function compare(exp: Expected, got: Package): void {
  const known = new Set(['name', 'version', 'purl', 'type', 'licenses', 'metadata']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  assert.equal(got.name, exp.name);
  assert.equal(got.version, exp.version);
  assert.equal(got.type, 'gem');
  if (exp.type !== undefined) assert.equal(exp.type, 'GemPkg');
  if (exp.purl !== undefined) assert.equal(got.purl, canonicalPurl(exp.purl as string));
  if (exp.licenses !== undefined) {
    // Exact texts as declared, and our normalised form of each.
    assert.deepEqual(got.metadata?.licenses ?? [], exp.licenses);
    assert.deepEqual(got.licenses.map(licenseText), (exp.licenses as string[]).map(key));
  }
  for (const [k, v] of Object.entries((exp.metadata ?? {}) as Record<string, unknown>)) {
    switch (k) {
      case 'Name': assert.equal(got.metadata?.name, v); break;
      case 'Version': assert.equal(got.metadata?.version, v); break;
      case 'Authors': assert.deepEqual(got.metadata?.authors, v); break;
      case 'Homepage': assert.equal(got.metadata?.homepage, v); break;
      default: assert.fail(`unmapped expected metadata field ${k}`);
    }
  }
}

for (const caseName of readdirSync(FIXTURES).sort()) {
  test(`gem conformance: ${caseName}`, async () => {
    const c = JSON.parse(readFileSync(FIXTURES + caseName + '/expected.json', 'utf8')) as { packageCount: number; packages: Expected[] };
    const warnings = new Warnings();
    const tree = await treeFromDirectory(FIXTURES + caseName, gemCataloger.capture);
    const pkgs = gemCataloger.catalog(tree, { warnings });
    assert.equal(pkgs.length, c.packageCount);
    for (const exp of c.packages) {
      const got = pkgs.find((p) => p.name === exp.name && p.version === exp.version);
      assert.ok(got, `${exp.name}@${exp.version} not found`);
      compare(exp, got);
    }
    assert.deepEqual(warnings.items, []);
  });
}
