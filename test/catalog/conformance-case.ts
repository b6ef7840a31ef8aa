/** Reading a conformance case (test/fixtures/catalogers/<ecosystem>/<case>/) with one cataloger. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cataloger } from '../../src/catalog/types.js';
import { treeFromDirectory } from '../../src/image/layer/directory-index.js';
import type { Package } from '../../src/sbom/model.js';
import { Warnings } from '../../src/util/errors.js';

export type Expected = Record<string, unknown> & { name: string };
export interface Case {
  packages: Expected[];
  complete?: boolean;
}

export async function scanCase(cataloger: Cataloger, ecosystem: string, caseName: string): Promise<{ pkgs: Package[]; warnings: Warnings; exp: Case }> {
  const dir = fileURLToPath(new URL(`../fixtures/catalogers/${ecosystem}/${caseName}/`, import.meta.url));
  const warnings = new Warnings();
  const tree = await treeFromDirectory(dir, cataloger.capture);
  const exp = JSON.parse(readFileSync(dir + 'expected.json', 'utf8')) as Case;
  return { pkgs: cataloger.catalog(tree, { warnings }), warnings, exp };
}

/** The one package of that name (fails when there are none or several). */
export function one(pkgs: Package[], name: string): Package {
  const got = pkgs.filter((p) => p.name === name);
  assert.equal(got.length, 1, `exactly one ${name}`);
  return got[0];
}
