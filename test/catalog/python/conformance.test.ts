import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pythonCataloger } from '../../../src/catalog/python/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { licenseText, normaliseLicense } from '../../../src/sbom/license.js';
import { canonicalPurl } from '../../../src/sbom/purl.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/python/', import.meta.url));

type Expected = Record<string, unknown> & { name: string; version: string };
interface Case {
  fixture: string;
  packageCount: number;
  packages: Expected[];
}

async function scan(dir: string): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const warnings = new Warnings();
  const tree = await treeFromDirectory(dir, pythonCataloger.capture);
  return { pkgs: pythonCataloger.catalog(tree, { warnings }), warnings };
}

/** An expected license string in our normalised form (the shared normaliser, both sides). */
function key(text: string): string {
  const l = normaliseLicense(text);
  return l.length ? l.map(licenseText).join(' AND ') : text;
}

/**
 * Syft normalises the name (PEP 503) in name and purl, states licenses as it resolved them
 * (License field, else the license file's text), and its PythonPackage metadata struct. Our
 * license policy puts the same sources first, so our licenses are compared directly.
 */
function compareSyft(exp: Expected, got: Package): void {
  const known = new Set(['name', 'version', 'purl', 'type', 'licenses', 'metadata']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  assert.equal(got.name, exp.name);
  assert.equal(got.version, exp.version);
  assert.equal(exp.type, 'PythonPkg');
  assert.equal(got.type, 'pypi');
  // Syft percent-encodes ':' in qualifier values; canonical purl form keeps it literal.
  assert.equal(got.purl, canonicalPurl(exp.purl as string));
  assert.deepEqual(got.licenses.map(licenseText).sort(), (exp.licenses as string[]).map(key).sort(), `${exp.name} licenses`);
  const md = got.metadata ?? {};
  for (const [k, v] of Object.entries((exp.metadata ?? {}) as Record<string, unknown>)) {
    switch (k) {
      case 'Name': assert.equal(md.name, v); break;
      case 'Version': assert.equal(md.version, v); break;
      case 'Author': assert.equal(md.author, v); break;
      case 'AuthorEmail': assert.equal(md.authorEmail, v); break;
      // Syft states it relative to the scanned folder, which is the tree's root here.
      case 'SitePackagesRootPath': assert.equal(md.sitePackagesRootPath, posix.join('/', v as string)); break;
      case 'TopLevelPackages': assert.deepEqual(md.topLevelPackages, v); break;
      case 'RequiresPython': assert.equal(md.requiresPython, v); break;
      case 'RequiresDist': assert.deepEqual(md.requiresDist, v); break;
      case 'ProvidesExtra': assert.deepEqual(md.providesExtra, v); break;
      default: assert.fail(`unmapped expected metadata field ${k}`);
    }
  }
}

/**
 * Trivy's rule for the one license string it reports: License-Expression, else the License
 * classifiers (the bare "OSI Approved" one skipped), else the License field, else
 * "file://<License-File>". We keep every declared source in metadata, so this applies Trivy's
 * choice to what we extracted: it checks our header reading (where headers end, continuation
 * lines, classifier splitting), while our own order (License before classifiers, placeholders
 * such as UNKNOWN dropped) is tested in python.test.ts.
 */
function trivyLicenses(md: Record<string, unknown>): string[] {
  if (typeof md.licenseExpression === 'string') return [md.licenseExpression];
  const classifiers = (md.classifierLicenses ?? []) as string[];
  if (classifiers.length) return classifiers;
  if (typeof md.license === 'string') return [md.license];
  const files = (md.licenseFiles ?? []) as string[];
  return files.length ? [`file://${files[0]}`] : [];
}

function compareTrivy(exp: Expected, got: Package): void {
  const known = new Set(['name', 'version', 'licenses']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  const md = got.metadata ?? {};
  // Trivy reports the name as written; ours is normalised, with the written form in metadata.
  assert.equal(md.name, exp.name);
  assert.equal(got.name, exp.name.toLowerCase().replace(/[-_.]+/g, '-'));
  assert.equal(got.version, exp.version);
  if (exp.licenses !== undefined) assert.deepEqual(trivyLicenses(md), exp.licenses, `${exp.name} licenses`);
}

for (const caseName of readdirSync(FIXTURES).sort()) {
  test(`python conformance: ${caseName}`, async () => {
    const c = JSON.parse(readFileSync(FIXTURES + caseName + '/expected.json', 'utf8')) as Case;
    const dir = c.fixture.startsWith('site-packages/') ? FIXTURES + caseName + '/site-packages' : FIXTURES + caseName;
    const { pkgs, warnings } = await scan(dir);
    assert.equal(pkgs.length, c.packageCount, `package count (${pkgs.map((p) => p.locations[0].path).join(', ')})`);
    const syft = caseName.startsWith('syft-');
    // Match expected to found packages by name and version, in order (a case may list twins).
    const left = [...pkgs];
    for (const exp of c.packages) {
      const i = left.findIndex((p) => (syft ? p.name === exp.name : p.metadata?.name === exp.name) && p.version === exp.version);
      assert.ok(i >= 0, `${exp.name}@${exp.version} not found`);
      const [got] = left.splice(i, 1);
      if (syft) compareSyft(exp, got);
      else compareTrivy(exp, got);
    }
    assert.deepEqual(warnings.items, []);
  });
}
