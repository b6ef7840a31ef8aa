import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { layoutOf as layout, npmApp as app } from '../helpers/npm-app.js';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { importedCache, type CvesJson } from '../report/helpers.js';
import type { Comparison } from '../../src/platform/compare.js';

let cache: string;
let oldImage: string;
let newImage: string;
let lodashOnly: string;

before(async () => {
  cache = importedCache();
  const base = { 'etc/os-release': 'ID=scratchy\nVERSION_ID=1\n' };
  oldImage = await layout([base, app({ lodash: '4.17.15', express: '4.19.2', 'left-pad': '1.3.0', minimist: '1.2.8' })]);
  // lodash up (its advisories fixed), express down (older advisories back), left-pad gone,
  // jsonwebtoken new (with advisories), minimist as it was; and a bigger file.
  newImage = await layout([base, { ...app({ lodash: '4.17.21', express: '4.18.0', jsonwebtoken: '8.5.1', minimist: '1.2.8' }), 'app/big.bin': Buffer.alloc(200_000, 7) }]);
  lodashOnly = await layout([base, app({ lodash: '4.17.21', express: '4.19.2', 'left-pad': '1.3.0', minimist: '1.2.8' })]);
});

function compare(args: string[]): { code: number; stdout: string; stderr: string } {
  return scout(['compare', ...args], { SCOUT_CACHE_DIR: cache });
}

function json(args: string[]): Comparison {
  const r = compare([...args, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Comparison;
}

/** What `scout cves` finds in an image, as (vulnerability, package name) keys. */
function cvesKeys(image: string): Set<string> {
  const r = scout(['cves', image, '--format', 'json'], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  return new Set((JSON.parse(r.stdout) as CvesJson).findings.map((f) => `${f.id} ${f.package.name}`));
}

test('compare: packages added, removed, upgraded and downgraded; findings added and removed equal the difference of the two cves lists', () => {
  const c = json([newImage, '--to', oldImage]);
  assert.deepEqual(c.packages.added.map((p) => `${p.name}@${p.version}`), ['jsonwebtoken@8.5.1']);
  assert.deepEqual(c.packages.removed.map((p) => `${p.name}@${p.version}`), ['left-pad@1.3.0']);
  assert.deepEqual(c.packages.changed.map((p) => [p.name, p.from, p.to, p.direction]), [['express', '4.19.2', '4.18.0', 'downgraded'], ['lodash', '4.17.15', '4.17.21', 'upgraded']]);
  // app and minimist.
  assert.equal(c.packages.unchanged, 2);

  const now = cvesKeys(newImage);
  const then = cvesKeys(oldImage);
  const added = [...now].filter((k) => !then.has(k)).sort();
  const removed = [...then].filter((k) => !now.has(k)).sort();
  assert.deepEqual(c.findings.added.map((f) => `${f.id} ${f.package.name}`).sort(), added);
  assert.deepEqual(c.findings.removed.map((f) => `${f.id} ${f.package.name}`).sort(), removed);
  assert.equal(c.findings.unchanged, [...now].filter((k) => then.has(k)).length);
  // The fixture is what it claims to be: each kind of change is there.
  assert.ok(added.some((k) => k.endsWith(' jsonwebtoken')) && added.some((k) => k.endsWith(' express')), added.join('\n'));
  assert.ok(removed.length > 0 && removed.every((k) => k.endsWith(' lodash')), removed.join('\n'));
  assert.ok(c.findings.unchanged > 0, 'express 4.19.2 and 4.18.0 share an advisory');
  // Severity counts per image are those cves reports.
  const counts = (image: string) => (JSON.parse(scout(['cves', image, '--format', 'json'], { SCOUT_CACHE_DIR: cache }).stdout) as CvesJson).summary.bySeverity;
  for (const [side, image] of [[c.image, newImage], [c.to, oldImage]] as const) {
    for (const [level, n] of Object.entries(counts(image))) assert.equal(side.vulnerabilities[level as keyof typeof side.vulnerabilities], n.total, level);
  }
});

test('compare: size change is the difference of the sizes image inspect reports', () => {
  const size = (image: string) => (JSON.parse(scout(['image', 'inspect', image, '--format', 'json'], { SCOUT_CACHE_DIR: cache }).stdout) as { size: { compressed: number; uncompressed: number } }).size;
  const c = json([newImage, '--to', oldImage]);
  const a = size(newImage);
  const b = size(oldImage);
  assert.deepEqual(c.sizeDelta, { compressed: a.compressed - b.compressed, uncompressed: a.uncompressed - b.uncompressed });
  assert.ok(c.sizeDelta!.uncompressed! > 200_000);
});

test('compare reads SBOM files like images (sbom://)', () => {
  const dir = tempDir();
  const file = join(dir, 'old.json');
  const s = scout(['sbom', oldImage, '--format', 'json', '-o', file], { SCOUT_CACHE_DIR: cache });
  assert.equal(s.code, 0, s.stderr);
  const fromImage = json([newImage, '--to', oldImage]);
  const fromSbom = json([newImage, '--to', `sbom://${file}`]);
  assert.deepEqual(fromSbom.packages, fromImage.packages);
  assert.deepEqual(fromSbom.findings, fromImage.findings);
});

test('--exit-on: 2 when vulnerabilities were added or packages changed, as asked; 0 otherwise', () => {
  const same = compare([oldImage, '--to', oldImage, '--exit-on', 'vulnerability,package']);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /Packages: 0 added, 0 removed, 0 changed/);
  // Only lodash upgraded: vulnerabilities removed, none added.
  assert.equal(compare([lodashOnly, '--to', oldImage, '--exit-on', 'vulnerability']).code, 0);
  assert.equal(compare([lodashOnly, '--to', oldImage, '--exit-on', 'package']).code, 2);
  assert.equal(compare([newImage, '--to', oldImage, '--exit-on', 'vulnerability']).code, 2);
  assert.equal(compare([newImage, '--to', oldImage]).code, 0);
  const bad = compare([newImage, '--to', oldImage, '--exit-on', 'licenses']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--exit-on takes vulnerability and\/or package, not "licenses"/);
});

test('compare text and markdown name the changes', () => {
  const text = compare([newImage, '--to', oldImage]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Packages: 1 added, 1 removed, 2 changed, 2 unchanged/);
  assert.match(text.stdout, /lodash \(npm\)\s+4\.17\.15\s+4\.17\.21\s+↑ upgraded/);
  assert.match(text.stdout, /\+ jsonwebtoken \(npm\)\s+8\.5\.1/);
  const md = compare([newImage, '--to', oldImage, '--format', 'markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^\| express \(npm\) \| 4\.19\.2 \| 4\.18\.0 \| ↓ downgraded \|$/m);
  assert.match(md.stdout, /^\| - left-pad \(npm\) \| 1\.3\.0 \|$/m);
  assert.match(md.stdout, /^### Vulnerabilities: \d+ added, \d+ removed, \d+ unchanged$/m);
});

test('compare without a server: the base image each image\'s provenance names, and how it changed (updated, added); no section when neither names one', async () => {
  const { buildImage, writeOciLayout } = await import('../helpers/image-builder.js');
  const { attestationManifest, attestedIndex, provenanceV02, subjectOf, writeAttestedLayout } = await import('../helpers/attestation-builder.js');
  const os = { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n' };
  /** An app image whose provenance says it was built FROM alpine:3.20 resolved to `alpineDigest`. */
  const attested = async (n: number, alpineDigest: string) => {
    const im = await buildImage({ os: 'linux', architecture: 'amd64', layers: [os, { 'app/n.txt': `${n}\n` }] });
    const provenance = provenanceV02(subjectOf(im));
    for (const m of provenance.predicate.materials) if (m.uri.startsWith('pkg:docker/alpine@')) m.digest = { sha256: alpineDigest };
    const dir = tempDir();
    writeAttestedLayout(dir, attestedIndex([{ image: im, attestation: attestationManifest([{ content: provenance, predicateType: 'https://slsa.dev/provenance/v0.2' }]) }]), 'app:1');
    return `oci-dir://${dir}`;
  };
  const older = await attested(1, '1'.repeat(64));
  const newer = await attested(2, '2'.repeat(64));
  const plainImage = await buildImage({ os: 'linux', architecture: 'amd64', layers: [os, { 'app/n.txt': '3\n' }] });
  const plainDir = tempDir();
  writeOciLayout(plainDir, [{ images: [plainImage] }]);
  const plain = `oci-dir://${plainDir}`;
  const platform = ['--platform', 'linux/amd64'];

  const updated = json([newer, '--to', older, ...platform]);
  assert.deepEqual(updated.baseImage, {
    image: { digest: `sha256:${'2'.repeat(64)}`, repository: 'docker.io/library/alpine', tags: ['3.20'], catalog: false, from: 'provenance', name: 'alpine:3.20' },
    to: { digest: `sha256:${'1'.repeat(64)}`, repository: 'docker.io/library/alpine', tags: ['3.20'], catalog: false, from: 'provenance', name: 'alpine:3.20' },
    change: 'updated',
  });
  const text = compare([newer, '--to', older, ...platform]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /base image\s+docker\.io\/library\/alpine:3\.20 \(named by provenance\)\s+docker\.io\/library\/alpine:3\.20 \(named by provenance\)\s+updated/);

  const added = json([newer, '--to', plain, ...platform]);
  assert.equal(added.baseImage?.change, 'added');
  assert.equal(added.baseImage?.to, null);
  assert.equal(json([older, '--to', older, ...platform]).baseImage?.change, 'unchanged');
  assert.equal(json([plain, '--to', plain, ...platform]).baseImage, undefined, 'neither names a base: no section');
});

test('a layer cache that cannot be written: compare reads both images and warns of it once, not once per image', () => {
  const blocked = tempDir();
  cpSync(cache, blocked, { recursive: true });
  // The earlier tests' catalogues would serve both images without a layer read: only the advisories are kept.
  rmSync(join(blocked, 'catalog'), { recursive: true, force: true });
  // A regular file where the layer folder goes: no entry can be made below it, whoever runs the test.
  rmSync(join(blocked, 'layers'), { recursive: true, force: true });
  writeFileSync(join(blocked, 'layers'), '');
  const r = scout(['compare', newImage, '--to', oldImage, '--format', 'json'], { SCOUT_CACHE_DIR: blocked });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Comparison).image.reference, newImage, 'both images were read');
  assert.equal(r.stderr.match(/cannot write the layer cache/g)?.length, 1, r.stderr);
});
