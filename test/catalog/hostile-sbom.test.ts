import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { makeZip } from '../helpers/zip-writer.js';
import { sbomOfLayers } from '../helpers/sbom-of.js';

const GOOD_JAR = readFileSync(new URL('../fixtures/catalogers/java/trivy-jar-multi-license/multi-license-1.0.0.jar', import.meta.url));

test('hostile files each get a warning naming them, and the rest of the SBOM is still produced', async () => {
  const bomb = makeZip([
    { name: 'META-INF/maven/x/bomb/pom.properties', data: 'groupId=x\nartifactId=bomb\nversion=1\n' },
    // A nested jar the cataloger must open: 64 MiB of zeros deflating at ~1000:1.
    { name: 'WEB-INF/lib/inner.jar', data: Buffer.alloc(64 * 1024 * 1024) },
  ]);
  const slip = makeZip([
    { name: '../../../../etc/cron.d/evil', data: 'x' },
    { name: 'META-INF/maven/y/slip/pom.properties', data: 'groupId=y\nartifactId=slip\nversion=2\n' },
  ]);
  const { sbom } = await sbomOfLayers([
    {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': 'Package: good\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n\nthis stanza is garbage\n\nPackage: alsogood\nStatus: install ok installed\nVersion: 2.0-1\nArchitecture: all\n',
    },
    {
      'app/package.json': '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}}',
      'app/package-lock.json': '{"lockfileVersion": 3, "packages": {',
      'app/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}',
      'app/node_modules/loop': { symlink: '../node_modules' },
      'app/node_modules/self': { symlink: '.' },
      'usr/lib/python3/dist-packages/huge-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: huge\nVersion: 1.0\n' + 'X'.repeat(5 * 1024 * 1024),
      'usr/lib/python3/dist-packages/fine-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: fine\nVersion: 1.0\n',
    },
    { 'opt/bomb.jar': bomb, 'opt/slip.jar': slip, 'opt/good.jar': GOOD_JAR },
  ]);
  const names = new Set(sbom.packages.map((p) => p.name));
  for (const n of ['good', 'alsogood', 'left-pad', 'fine', 'multi-license']) assert.ok(names.has(n), `${n} is still found`);
  assert.ok(!names.has('huge'), 'the oversized METADATA is skipped');
  const warn = (re: RegExp) => sbom.warnings.find((w) => re.test(`${w.path ?? ''} ${w.message}`));
  assert.ok(warn(/\/var\/lib\/dpkg\/status/), 'malformed dpkg stanza named: ' + JSON.stringify(sbom.warnings));
  assert.ok(warn(/\/app\/package-lock\.json/), 'malformed lockfile named');
  assert.ok(warn(/huge-1\.0\.dist-info\/METADATA/), 'oversized METADATA named');
  assert.match(warn(/\/opt\/bomb\.jar/)?.code ?? '', /zip-bomb/, 'zip bomb named');
  assert.ok(warn(/\/opt\/slip\.jar/), 'zip slip named');
  assert.ok(sbom.packages.every((p) => !p.locations.some((l) => l.path.includes('..'))), 'no zip-slip path becomes a location');
});
