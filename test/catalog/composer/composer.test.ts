import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composerCataloger } from '../../../src/catalog/composer/index.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

async function catalog(files: Record<string, MemoryEntry>): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const tree = await treeFromMemory([files], composerCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: composerCataloger.catalog(tree, { warnings }), warnings };
}

const lock = {
  packages: [
    { name: 'laravel/framework', version: 'v10.1.0', license: ['MIT'], require: { php: '^8.1', 'symfony/console': '^6.2' }, authors: [{ name: 'Taylor Otwell', email: 'taylor@laravel.com' }], description: 'The Laravel Framework.' },
    { name: 'symfony/console', version: 'v6.2.5', license: 'MIT', require: { php: '>=8.1' } },
    { name: 'acme/dual', version: '1.0.0', license: ['(LGPL-2.1-only or GPL-3.0-or-later)'] },
  ],
  'packages-dev': [{ name: 'phpunit/phpunit', version: '10.0.7', license: ['BSD-3-Clause'] }],
};

test('composer.lock: purl, namespace, dev packages, licenses, require links and relationships', async () => {
  const { pkgs, warnings } = await catalog({ '/srv/app/composer.lock': JSON.stringify(lock) });
  assert.deepEqual(warnings.items, []);
  const by = new Map(pkgs.map((p) => [p.name, p]));
  const fw = by.get('laravel/framework')!;
  assert.equal(fw.purl, 'pkg:composer/laravel/framework@v10.1.0');
  assert.equal(fw.namespace, 'laravel');
  assert.equal(fw.author, 'Taylor Otwell <taylor@laravel.com>');
  assert.equal(fw.description, 'The Laravel Framework.');
  assert.deepEqual(fw.dependsOn, [by.get('symfony/console')!.id]);
  assert.equal(fw.relationship, 'direct');
  assert.equal(by.get('symfony/console')!.relationship, 'transitive');
  assert.deepEqual(by.get('symfony/console')!.licenses, [{ spdx: 'MIT' }]);
  assert.deepEqual(by.get('acme/dual')!.licenses, [{ spdx: 'LGPL-2.1-only OR GPL-3.0-or-later' }]);
  assert.equal(by.get('phpunit/phpunit')!.metadata?.dev, true);
  assert.equal(by.get('laravel/framework')!.metadata?.dev, undefined);
});

test('a project with vendor/ installed is read from installed.json, not its lock', async () => {
  const { pkgs } = await catalog({
    '/srv/app/composer.lock': JSON.stringify(lock),
    '/srv/app/vendor/composer/installed.json': JSON.stringify({ packages: [lock.packages[1]], dev: false, 'dev-package-names': [] }),
  });
  assert.deepEqual(pkgs.map((p) => [p.name, p.locations[0].path]), [['symfony/console', '/srv/app/vendor/composer/installed.json']]);
});

test('bad files and bad entries are reported, never thrown', async () => {
  const { pkgs, warnings } = await catalog({
    '/a/composer.lock': '{"packages": [',
    '/b/composer.lock': '"just a string"',
    '/c/vendor/composer/installed.json': JSON.stringify([null, 7, { name: 'no-slash', version: '1' }, { name: 'ok/pkg', version: ' ' }, { name: 'ok/pkg', version: '1.0', license: [1, null], authors: 'x', require: 'y' }]),
  });
  assert.deepEqual(pkgs.map((p) => p.purl), ['pkg:composer/ok/pkg@1.0']);
  assert.deepEqual(pkgs[0].licenses, []);
  assert.deepEqual(warnings.items.map((w) => [w.code, w.path]), [
    ['composer-invalid-json', '/a/composer.lock'],
    ['composer-unexpected-shape', '/b/composer.lock'],
    ['composer-bad-package', '/c/vendor/composer/installed.json'],
  ]);
});
