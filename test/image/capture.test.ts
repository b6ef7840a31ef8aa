import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledCapture, globToRegExp } from '../../src/image/capture.js';

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
