import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureOwners, CompiledCapture, globToRegExp, requiredLiteral } from '../../src/image/capture.js';
import { allCatalogers, fullCapture } from '../../src/catalog/index.js';

test('globs: ** crosses folders, * and ? do not, {a,b} alternates', () => {
  assert.ok(globToRegExp('**/node_modules/**/package.json').test('/app/node_modules/@s/x/package.json'));
  assert.ok(globToRegExp('**/package.json').test('/package.json'));
  assert.ok(!globToRegExp('/var/lib/dpkg/status.d/*').test('/var/lib/dpkg/status.d/a/b'));
  assert.ok(globToRegExp('/usr/lib/sysimage/rpm/{Packages,Packages.db,rpmdb.sqlite}').test('/usr/lib/sysimage/rpm/Packages.db'));
  assert.ok(globToRegExp('**/*dist-info/licenses/**').test('/x/a-1.dist-info/licenses/sub/LICENSE'));
  assert.ok(!globToRegExp('**/*.jar').test('/x/a.jar.bak'));
});

test('the capture limit is the largest of the matching selectors, found through the name index', () => {
  const c = new CompiledCapture({
    selectors: [
      { globs: ['**/METADATA', '**/*.jar'], maxSize: 10 },
      { globs: ['/var/lib/db/sbom/**', '**/*dist-info/{LICENSE,COPYING}*'], maxSize: 20 },
      { globs: ['/opt/*/METADATA'], maxSize: 30 },
    ],
    analyzers: [],
  });
  assert.equal(c.captureLimit('/usr/x.dist-info/METADATA'), 10);
  assert.equal(c.captureLimit('/opt/a/METADATA'), 30);
  assert.equal(c.captureLimit('/lib/a.jar'), 10);
  assert.equal(c.captureLimit('/var/lib/db/sbom/a/b.spdx.json'), 20);
  assert.equal(c.captureLimit('/x/a-1.dist-info/LICENSE.txt'), 20);
  assert.equal(c.captureLimit('/x/a-1.dist-info/README'), 0);
  assert.equal(c.captureLimit('/usr/share/doc/readme'), 0);
});

test('a glob\'s required literal skips "**/" and alternatives, so it never rejects a path its RegExp accepts; one owners lookup answers for every cataloger', () => {
  assert.equal(requiredLiteral('**/*egg-info/{top_level.txt,requires.txt}'), 'egg-info/');
  assert.equal(requiredLiteral('**/EGG-INFO/{a,b}'), 'EGG-INFO/');
  assert.equal(requiredLiteral('/var/lib/rpm/{rpmdb.sqlite,Packages}'), '/var/lib/rpm/');
  // Every glob Scout captures with, against paths built from the globs' own words: the indexed
  // lookup must give what testing every RegExp gives.
  const globs = fullCapture.selectors.flatMap((s) => s.globs.map((g) => ({ re: globToRegExp(g), max: s.maxSize ?? 32 * 1024 * 1024 })));
  const words = [...new Set(fullCapture.selectors.flatMap((s) => s.globs).flatMap((g) => g.split(/[/{},*?]+/)).filter(Boolean))];
  const capture = new CompiledCapture(fullCapture);
  const owners = new CaptureOwners(allCatalogers.map((c) => c.capture));
  const perCataloger = allCatalogers.map((c) => new CompiledCapture(c.capture));
  let rnd = 7;
  const pick = () => words[(rnd = (rnd * 1103515245 + 12345) % 2 ** 31) % words.length];
  let matched = 0;
  for (let i = 0; i < 20_000; i++) {
    const depth = 1 + (i % 6);
    const path = '/' + Array.from({ length: depth }, (_, k) => (k === depth - 2 && i % 3 === 0 ? `x-1.${pick()}` : pick())).join('/');
    const naive = globs.reduce((m, g) => (g.re.test(path) && g.max > m ? g.max : m), 0);
    if (naive > 0) matched++;
    assert.equal(capture.captureLimit(path), naive, path);
    // One lookup answering for every cataloger agrees with asking each cataloger's own set.
    const mask = owners.owners(path);
    perCataloger.forEach((c, k) => assert.equal((mask >> k) & 1, c.captureLimit(path) > 0 ? 1 : 0, `${allCatalogers[k].name} ${path}`));
  }
  assert.ok(matched > 500, `only ${matched} generated paths matched anything`);
});
