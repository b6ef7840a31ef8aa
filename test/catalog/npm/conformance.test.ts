import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createNpmCataloger, type NpmCatalogerOptions } from '../../../src/catalog/npm/index.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

/*
 * Every conformance case of the JavaScript peers must yield exactly its expected packages,
 * compared field by field. Where Syft and Trivy differ, the case's own convention is applied
 * through cataloger options (never by skipping a field):
 *   Syft  — includes the project itself (root) and drops dev-only packages unless its
 *           peerConfig says IncludeDevDependencies: true.
 *   Trivy — leaves the project out and reports dev packages with dev: true.
 */

const ROOT = fileURLToPath(new URL('../../fixtures/catalogers/', import.meta.url));

type Expected = Record<string, unknown> & { name: string; version?: string };
interface Case {
  fixture: string;
  peerConfig?: string;
  notes?: string;
  packageCount: number;
  packages: Expected[];
}

function optionsFor(caseName: string, c: Case): NpmCatalogerOptions {
  if (caseName.startsWith('syft-')) return { includeRoot: true, includeDev: /IncludeDevDependencies:\s*true/.test(c.peerConfig ?? '') };
  return { includeRoot: false, includeDev: true };
}

const TRIVY_RELATIONSHIP: Record<string, string> = { root: 'root', direct: 'direct', indirect: 'transitive', unknown: 'unknown' };

function licenseText(p: Package): string[] {
  return p.licenses.map((l) => l.spdx ?? l.name ?? '').sort();
}

function compareSyft(exp: Expected, got: Package): void {
  const known = new Set(['name', 'version', 'purl', 'type', 'licenses', 'metadata']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  assert.equal(exp.type, 'NpmPkg');
  assert.equal(got.type, 'npm');
  assert.equal(got.purl, exp.purl, `${exp.name} purl`);
  if (exp.licenses !== undefined) assert.deepEqual(licenseText(got), [...(exp.licenses as string[])].sort(), `${exp.name} licenses`);
  if (exp.metadata !== undefined) {
    const md = exp.metadata as Record<string, unknown>;
    for (const k of Object.keys(md)) assert.ok(k === 'Resolved' || k === 'Integrity', `unmapped metadata ${k}`);
    // Syft's struct always has both fields; an empty one was transcribed as absent.
    assert.equal(got.metadata?.resolved, md.Resolved, `${exp.name} resolved`);
    assert.equal(got.metadata?.integrity, md.Integrity, `${exp.name} integrity`);
  }
}

function compareTrivy(exp: Expected, got: Package): void {
  const known = new Set(['id', 'name', 'version', 'dev', 'relationship', 'externalReferences']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  // Trivy's Dev is a plain bool; false was transcribed as absent.
  assert.equal(got.metadata?.dev ?? false, exp.dev ?? false, `${exp.id} dev`);
  if (exp.relationship !== undefined) assert.equal(got.relationship, TRIVY_RELATIONSHIP[exp.relationship as string], `${exp.id} relationship`);
  if (exp.externalReferences !== undefined) {
    const urls = (exp.externalReferences as { type: string; url: string }[]).map((r) => r.url);
    assert.deepEqual(urls, [got.metadata?.resolved], `${exp.id} resolved`);
  }
}

for (const eco of ['npm', 'yarn', 'pnpm']) {
  for (const caseName of readdirSync(ROOT + eco).sort()) {
    test(`${eco}/${caseName} yields exactly its expected packages`, async () => {
      const dir = `${ROOT}${eco}/${caseName}`;
      const c: Case = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'));
      const cataloger = createNpmCataloger(optionsFor(caseName, c));
      const tree = await treeFromDirectory(dir, cataloger.capture);
      const warnings = new Warnings();
      const got = cataloger.catalog(tree, { warnings });
      assert.deepEqual(warnings.items, []);
      assert.equal(c.packages.length, c.packageCount);
      const byKey = new Map<string, Package>();
      for (const p of got) {
        const k = `${p.name}@${p.version}`;
        assert.ok(!byKey.has(k), `${k} reported twice`);
        byKey.set(k, p);
      }
      const wanted = c.packages.map((e) => `${e.name}@${e.version ?? ''}`);
      assert.deepEqual([...byKey.keys()].sort(), [...wanted].sort());
      for (const exp of c.packages) {
        const p = byKey.get(`${exp.name}@${exp.version ?? ''}`)!;
        assert.equal(p.locations[0].path, `/${c.fixture}`);
        if (caseName.startsWith('syft-')) compareSyft(exp, p);
        else compareTrivy(exp, p);
      }
    });
  }
}
