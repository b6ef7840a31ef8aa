import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { javaCataloger } from '../../../src/catalog/java/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import { normaliseLicense } from '../../../src/sbom/license.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const FIXTURES = 'test/fixtures/catalogers/java';

interface Expected {
  fixture: string;
  packageCount: number;
  packages: { name: string; version: string; licenses?: string[]; filePath?: string }[];
  /** Where we differ from the peer on purpose: our expectations, with the reason. */
  deviation?: { reason: string; packageCount: number; packages: Expected['packages'] };
}

/** Our package in the peer's terms, limited to the fields the peer states for it. */
function project(p: Package, stated: Expected['packages'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = { name: `${p.namespace}:${p.name}`, version: p.version };
  if (stated.licenses) out.licenses = p.licenses.map((l) => l.spdx ?? l.name);
  // Peer: nested archives joined by '/', relative to the fixture; ours: '/case/outer.jar:inner.jar'.
  if (stated.filePath !== undefined) out.filePath = p.locations[0].path.replace(/^\/+/, '').split(':').join('/');
  return out;
}

for (const name of readdirSync(FIXTURES).sort()) {
  test(`conformance: java/${name}`, async () => {
    const dir = join(FIXTURES, name);
    const peer = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const expected = peer.deviation ? { ...peer, ...peer.deviation } : peer;
    const tree = await treeFromDirectory(dir, javaCataloger.capture);
    const warnings = new Warnings();
    const pkgs = javaCataloger.catalog(tree, { warnings });
    assert.deepEqual(warnings.items, []);
    assert.equal(pkgs.length, expected.packageCount);
    const key = (x: Record<string, unknown>) => `${x.name}@${x.version}`;
    const byKey = new Map(pkgs.map((p) => [`${p.namespace}:${p.name}@${p.version}`, p]));
    for (const want of expected.packages) {
      const got = byKey.get(key(want));
      assert.ok(got, `package ${key(want)} found`);
      // Peers state license names as the pom writes them; ours are normalised (an SPDX id where
      // the shared normaliser can tell, the name as written where it cannot).
      const stated = want.licenses ? { ...want, licenses: want.licenses.flatMap((t) => normaliseLicense(t)).map((l) => l.spdx ?? l.name!) } : want;
      assert.deepEqual(project(got, stated), stated);
      assert.equal(got.type, 'maven');
      assert.equal(got.purl, `pkg:maven/${encodeURIComponent(got.namespace!)}/${encodeURIComponent(got.name)}@${encodeURIComponent(got.version)}`);
    }
  });
}
