import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dpkgCataloger } from '../../../src/catalog/dpkg/index.js';
import { parseRelations } from '../../../src/catalog/dpkg/control.js';
import { splitDebVersion } from '../../../src/catalog/dpkg/version.js';
import { treeFromDirectory } from '../../../src/image/layer/directory-index.js';
import { normaliseLicense } from '../../../src/sbom/license.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';
import { licenseTerms } from './license-terms.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/catalogers/dpkg/', import.meta.url));

type Expected = Record<string, unknown> & { name: string };

function load(caseName: string): { packages: Expected[]; complete?: boolean; fixture: string } {
  return JSON.parse(readFileSync(FIXTURES + caseName + '/expected.json', 'utf8'));
}

async function scan(dir: string): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const warnings = new Warnings();
  const tree = await treeFromDirectory(dir, dpkgCataloger.capture);
  return { pkgs: dpkgCataloger.catalog(tree, { warnings }), warnings };
}

function sortedTerms(names: string[]): string[] {
  return licenseTerms(names.flatMap((n) => normaliseLicense(n))).sort();
}

/** Syft states the full version, a purl, raw Debian license names and its DpkgDBEntry metadata. */
function compareSyft(exp: Expected, got: Package): void {
  const known = new Set(['name', 'version', 'purl', 'type', 'licenses', 'metadata']);
  for (const k of Object.keys(exp)) assert.ok(known.has(k), `unmapped expected field ${k}`);
  assert.equal(got.version, exp.version);
  assert.equal(exp.type, 'DebPkg');
  assert.equal(got.type, 'deb');
  if (exp.purl !== undefined) assert.equal(got.purl, exp.purl);
  if (exp.licenses !== undefined) assert.deepEqual(licenseTerms(got.licenses).sort(), sortedTerms(exp.licenses as string[]), `${exp.name} licenses`);
  const md = (exp.metadata ?? {}) as Record<string, unknown>;
  const ours = got.metadata ?? {};
  for (const [k, v] of Object.entries(md)) {
    switch (k) {
      case 'Package': assert.equal(got.name, v); break;
      case 'Source': assert.equal(got.source?.name, v); break;
      case 'Version': assert.equal(ours.version, v); break;
      case 'Architecture': assert.equal(ours.architecture, v); break;
      case 'Maintainer': assert.equal(got.author, v); break;
      case 'InstalledSize':
        assert.equal(ours.installedSizeKiB, v);
        assert.equal(got.size, (v as number) * 1024);
        break;
      case 'Depends': assert.deepEqual(ours.depends, v); break;
      default: assert.fail(`unmapped expected metadata field ${k}`);
    }
  }
}

/**
 * Trivy splits the Debian version and links dependencies by name from Depends only (not
 * Pre-Depends); our dependsOn also carries Pre-Depends, so those edges are set aside here.
 */
function compareTrivy(exp: Expected, got: Package, all: Package[]): void {
  const v = splitDebVersion(got.version);
  const src = splitDebVersion(got.source?.version ?? '');
  const byName = new Map(all.map((p) => [p.name, p]));
  for (const [k, val] of Object.entries(exp)) {
    switch (k) {
      case 'id': assert.equal(`${got.name}@${got.version}`, val); break;
      case 'name': assert.equal(got.name, val); break;
      case 'version': assert.equal(v.upstream, val); assert.equal(got.metadata?.upstreamVersion, val); break;
      case 'epoch': assert.equal(v.epoch, val); assert.equal(got.metadata?.epoch, val); break;
      case 'release': assert.equal(v.revision, val); assert.equal(got.metadata?.revision, val); break;
      case 'arch': assert.equal(got.metadata?.architecture, val); break;
      case 'sourceName': assert.equal(got.source?.name, val); break;
      case 'sourceVersion': assert.equal(src.upstream, val); break;
      case 'sourceRelease': assert.equal(src.revision, val); break;
      case 'sourceEpoch': assert.equal(src.epoch, val); break;
      case 'maintainer': assert.equal(got.author, val); break;
      case 'dependsOn': {
        const expNames = (val as string[]).map((id) => id.slice(0, id.lastIndexOf('@'))).sort();
        assert.deepEqual(dependsByName(got), expNames, `${got.name} dependsOn`);
        for (const id of val as string[]) {
          const dep = byName.get(id.slice(0, id.lastIndexOf('@')));
          assert.equal(`${dep?.name}@${dep?.version}`, id);
        }
        break;
      }
      default: assert.fail(`unmapped expected field ${k}`);
    }
  }
  if (!('dependsOn' in exp)) assert.deepEqual(dependsByName(got), [], `${got.name} has no Depends edges`);
}

/** Our dependsOn restricted to names the Depends field names literally (Trivy's rule). */
function dependsByName(got: Package): string[] {
  const named = new Set(parseRelations(((got.metadata?.depends ?? []) as string[]).join(',')).flat());
  return (got.dependsOn ?? []).filter((n) => named.has(n));
}

function matchAll(caseName: string, pkgs: Package[], compare: (e: Expected, g: Package) => void): void {
  const exp = load(caseName);
  if (exp.complete !== false) {
    assert.deepEqual(pkgs.map((p) => p.name).sort(), exp.packages.map((p) => p.name).sort(), 'package list');
  }
  for (const e of exp.packages) {
    const got = pkgs.filter((p) => p.name === e.name);
    assert.equal(got.length, 1, `exactly one ${e.name}`);
    compare(e, got[0]);
  }
}

test('syft debian 12 image: status, copyright licenses, os-release purl', async () => {
  const { pkgs, warnings } = await scan(FIXTURES + 'syft-debian12-status/rootfs');
  matchAll('syft-debian12-status', pkgs, compareSyft);
  // The fixture's status file opens with an empty "Package:" stanza: reported, not fatal.
  assert.equal(warnings.items.length, 1);
  assert.equal(warnings.items[0].path, '/var/lib/dpkg/status');
  const p = pkgs[0];
  assert.deepEqual(p.locations.map((l) => l.path), ['/var/lib/dpkg/status', '/usr/share/doc/libpam-runtime/copyright']);
  assert.equal(p.description?.split('\n')[0], 'Runtime support for the PAM library');
  assert.match(p.description ?? '', /on almost all installations\.$/);
});

test('syft distroless status.d: per-package stanza files, md5sums and scripts skipped', async () => {
  const { pkgs, warnings } = await scan(FIXTURES + 'syft-distroless-status.d/rootfs');
  matchAll('syft-distroless-status.d', pkgs, compareSyft);
  assert.deepEqual(warnings.items, []);
  assert.equal(pkgs[0].locations[0].path, '/var/lib/dpkg/status.d/libsqlite3-0');
  assert.equal(pkgs[0].purl, 'pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&upstream=sqlite3', 'no os-release: no distro qualifier');
});

test('trivy ubuntu status: 90 installed packages, split versions, sources, dependency links', async () => {
  const { pkgs, warnings } = await scan(FIXTURES + 'trivy-ubuntu-status');
  const byName = (all: Package[]) => (e: Expected, g: Package) => compareTrivy(e, g, all);
  matchAll('trivy-ubuntu-status', pkgs, byName(pkgs));
  assert.deepEqual(warnings.items, []);
  assert.equal(pkgs.length, 90);
  assert.ok(!pkgs.some((p) => p.name === 'git'), 'deinstall ok config-files is not installed');
});
