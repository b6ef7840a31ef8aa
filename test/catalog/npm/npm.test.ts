import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNpmCataloger, javascriptCatalogers, npmCataloger, type NpmCatalogerOptions } from '../../../src/catalog/npm/index.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const json = (v: unknown) => JSON.stringify(v);

async function run(files: Record<string, MemoryEntry>, opts?: NpmCatalogerOptions): Promise<{ pkgs: Package[]; warnings: Warnings; byName: (n: string, v?: string) => Package }> {
  const cataloger = opts ? createNpmCataloger(opts) : npmCataloger;
  const tree = await treeFromMemory([files], cataloger.capture);
  const warnings = new Warnings();
  const pkgs = cataloger.catalog(tree, { warnings });
  const byName = (n: string, v?: string) => {
    const found = pkgs.filter((p) => p.name === n && (v === undefined || p.version === v));
    assert.equal(found.length, 1, `expected one ${n}${v ? '@' + v : ''}, got ${found.length}`);
    return found[0];
  };
  return { pkgs, warnings, byName };
}

test('exports one cataloger covering node_modules and lockfiles', () => {
  assert.deepEqual(javascriptCatalogers, [npmCataloger]);
  const globs = npmCataloger.capture.selectors.flatMap((s) => s.globs);
  for (const g of ['**/node_modules/**/package.json', '**/package.json', '**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/pnpm-lock.yaml']) assert.ok(globs.includes(g), g);
});

test('installed packages: fields, licenses, scopes, nesting, direct/transitive and dev from the project', async () => {
  const { pkgs, byName, warnings } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0', '@s/c': '^3' }, devDependencies: { d: '^1' } }),
    '/app/node_modules/a/package.json': json({ name: 'a', version: '1.2.0', description: 'the a', author: { name: 'Ann', email: 'ann@example.com', url: 'https://ann.dev' }, license: { type: 'MIT' }, homepage: 'https://a.dev', dependencies: { b: '^1' } }),
    '/app/node_modules/a/lib/package.json': json({ type: 'module' }),
    '/app/node_modules/a/node_modules/b/package.json': json({ name: 'b', version: '1.0.0', author: 'Bob <bob@example.com>', licenses: [{ type: 'Apache 2.0' }, { type: 'MIT' }] }),
    '/app/node_modules/b/package.json': json({ name: 'b', version: '2.0.0', license: 'UNLICENSED' }),
    '/app/node_modules/@s/c/package.json': json({ name: '@s/c', version: '3.0.0', license: '(MIT OR ISC)' }),
    '/app/node_modules/d/package.json': json({ name: 'd', version: '1.0.0', dependencies: { b: '2' } }),
  });
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`).sort(), ['@s/c@3.0.0', 'a@1.2.0', 'app@1.0.0', 'b@1.0.0', 'b@2.0.0', 'd@1.0.0']);
  const app = byName('app');
  const a = byName('a');
  const b1 = byName('b', '1.0.0');
  const b2 = byName('b', '2.0.0');
  const c = byName('@s/c');
  const d = byName('d');
  assert.equal(app.relationship, 'root');
  assert.equal(app.locations[0].path, '/app/package.json');
  assert.equal(a.relationship, 'direct');
  assert.deepEqual(a.dependencyOf, [app.id]);
  assert.deepEqual(a.dependsOn, [b1.id], 'a resolves the nested b, not the hoisted one');
  assert.equal(a.author, 'Ann <ann@example.com> (https://ann.dev)');
  assert.equal(a.description, 'the a');
  assert.deepEqual(a.licenses, [{ spdx: 'MIT' }]);
  assert.equal(a.purl, 'pkg:npm/a@1.2.0');
  assert.equal(a.type, 'npm');
  assert.equal(a.metadata?.homepage, 'https://a.dev');
  assert.equal(a.metadata?.dev, false);
  assert.deepEqual(a.locations, [{ path: '/app/node_modules/a/package.json' }]);
  assert.equal(b1.relationship, 'transitive');
  assert.deepEqual(b1.dependencyOf, [a.id]);
  assert.equal(b1.author, 'Bob <bob@example.com>');
  assert.deepEqual(b1.licenses, [{ spdx: 'Apache-2.0' }, { spdx: 'MIT' }]);
  assert.deepEqual(b2.licenses, [{ name: 'UNLICENSED' }]);
  assert.equal(b2.relationship, 'transitive');
  assert.deepEqual(b2.dependencyOf, [d.id]);
  assert.equal(b2.metadata?.dev, true, 'reachable only through a devDependency');
  assert.equal(c.namespace, '@s');
  assert.equal(c.purl, 'pkg:npm/%40s/c@3.0.0');
  // The shared normaliser writes SPDX expressions as every other cataloger does: canonical form.
  assert.deepEqual(c.licenses, [{ spdx: 'MIT OR ISC' }]);
  assert.equal(c.relationship, 'direct');
  assert.equal(d.relationship, 'direct');
  assert.equal(d.metadata?.dev, true);
  assert.deepEqual([...(app.dependsOn ?? [])].sort(), [a.id, c.id, d.id].sort());
});

test('includeDev: false drops dev-only packages; includeRoot: false drops the project and links to it', async () => {
  const files = {
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { a: '1' }, devDependencies: { d: '1' } }),
    '/app/node_modules/a/package.json': json({ name: 'a', version: '1.0.0' }),
    '/app/node_modules/d/package.json': json({ name: 'd', version: '1.0.0' }),
  };
  const noDev = await run(files, { includeDev: false });
  assert.deepEqual(noDev.pkgs.map((p) => p.name).sort(), ['a', 'app']);
  assert.deepEqual(noDev.byName('app').dependsOn, [noDev.byName('a').id]);
  const noRoot = await run(files, { includeRoot: false });
  assert.deepEqual(noRoot.pkgs.map((p) => p.name).sort(), ['a', 'd']);
  assert.equal(noRoot.byName('a').relationship, 'direct');
  assert.equal(noRoot.byName('a').dependencyOf, undefined);
});

test('a package in both the lockfile and node_modules is reported once with both locations', async () => {
  const { pkgs, byName } = await run({
    '/srv/package.json': json({ name: 'srv', version: '0.1.0', dependencies: { a: '^1' } }),
    '/srv/package-lock.json': json({
      name: 'srv', version: '0.1.0', lockfileVersion: 3,
      packages: {
        '': { name: 'srv', version: '0.1.0', dependencies: { a: '^1' } },
        'node_modules/a': { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: 'sha512-x', dependencies: { b: '^2' } },
        'node_modules/b': { version: '2.0.0', resolved: 'https://registry.npmjs.org/b/-/b-2.0.0.tgz' },
      },
    }),
    '/srv/node_modules/a/package.json': json({ name: 'a', version: '1.0.0', description: 'from the installed manifest', dependencies: { b: '^2' } }),
    '/srv/node_modules/a/node_modules/.bin/x': 'bin',
    '/srv/node_modules/b/package.json': json({ name: 'b', version: '2.0.0' }),
  });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`).sort(), ['a@1.0.0', 'b@2.0.0', 'srv@0.1.0']);
  const a = byName('a');
  assert.deepEqual(a.locations.map((l) => l.path), ['/srv/package-lock.json', '/srv/node_modules/a/package.json']);
  assert.equal(a.metadata?.resolved, 'https://registry.npmjs.org/a/-/a-1.0.0.tgz');
  assert.equal(a.metadata?.integrity, 'sha512-x');
  assert.equal(a.description, 'from the installed manifest');
  assert.deepEqual(a.metadata?.sources, ['package-lock', 'node_modules']);
  assert.deepEqual(byName('srv').locations.map((l) => l.path), ['/srv/package-lock.json', '/srv/package.json']);
  assert.deepEqual(byName('b').dependencyOf, [a.id]);
});

test('the same name@version installed twice in one project is one package; in two projects, two', async () => {
  const { pkgs } = await run({
    '/p1/package.json': json({ name: 'p1', version: '1.0.0', dependencies: { x: '1', y: '1' } }),
    '/p1/node_modules/x/package.json': json({ name: 'x', version: '1.0.0', dependencies: { z: '1' } }),
    '/p1/node_modules/x/node_modules/z/package.json': json({ name: 'z', version: '1.0.0' }),
    '/p1/node_modules/y/package.json': json({ name: 'y', version: '1.0.0', dependencies: { z: '1' } }),
    '/p1/node_modules/y/node_modules/z/package.json': json({ name: 'z', version: '1.0.0' }),
    '/p2/node_modules/z/package.json': json({ name: 'z', version: '1.0.0' }),
  });
  const zs = pkgs.filter((p) => p.name === 'z');
  assert.equal(zs.length, 2);
  const inP1 = zs.find((p) => p.locations.length === 2)!;
  assert.deepEqual(inP1.locations.map((l) => l.path).sort(), ['/p1/node_modules/x/node_modules/z/package.json', '/p1/node_modules/y/node_modules/z/package.json']);
  assert.equal(inP1.dependencyOf?.length, 2);
  const inP2 = zs.find((p) => p !== inP1)!;
  assert.equal(inP2.relationship, 'unknown', 'no manifest, no lockfile, not a global prefix');
  assert.notEqual(inP1.id, inP2.id);
});

test('global installs count as direct; what they bring is transitive', async () => {
  const { byName } = await run({
    '/usr/local/lib/node_modules/npm/package.json': json({ name: 'npm', version: '10.2.0', dependencies: { abbrev: '^2' } }),
    '/usr/local/lib/node_modules/npm/node_modules/abbrev/package.json': json({ name: 'abbrev', version: '2.0.0' }),
    '/usr/lib/node_modules/corepack/package.json': json({ name: 'corepack', version: '0.20.0' }),
  });
  assert.equal(byName('npm').relationship, 'direct');
  assert.equal(byName('corepack').relationship, 'direct');
  const abbrev = byName('abbrev');
  assert.equal(abbrev.relationship, 'transitive');
  assert.deepEqual(abbrev.dependencyOf, [byName('npm').id]);
});

test('pnpm node_modules layout resolves through its symlinks', async () => {
  const { pkgs, byName } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { foo: '1' } }),
    '/app/node_modules/foo': { symlink: '.pnpm/foo@1.0.0/node_modules/foo' },
    '/app/node_modules/.pnpm/foo@1.0.0/node_modules/foo/package.json': json({ name: 'foo', version: '1.0.0', dependencies: { bar: '2' } }),
    '/app/node_modules/.pnpm/foo@1.0.0/node_modules/bar': { symlink: '../../bar@2.0.0/node_modules/bar' },
    '/app/node_modules/.pnpm/bar@2.0.0/node_modules/bar/package.json': json({ name: 'bar', version: '2.0.0' }),
  });
  assert.equal(pkgs.length, 3);
  assert.equal(byName('foo').relationship, 'direct');
  assert.equal(byName('bar').relationship, 'transitive');
  assert.deepEqual(byName('bar').dependencyOf, [byName('foo').id]);
});

test('cyclic symlinked node_modules do not loop', async () => {
  const { pkgs, byName } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { a: '1', loop: '1', self: '1' } }),
    '/app/node_modules/a/package.json': json({ name: 'a', version: '1.0.0', dependencies: { loop: '1', a: '1' } }),
    '/app/node_modules/a/node_modules/loop': { symlink: '../../a/node_modules/loop' },
    '/app/node_modules/self': { symlink: '../node_modules/self' },
    '/app/node_modules/ping': { symlink: 'pong' },
    '/app/node_modules/pong': { symlink: 'ping' },
  });
  assert.deepEqual(pkgs.map((p) => p.name).sort(), ['a', 'app']);
  assert.equal(byName('a').dependsOn, undefined);
});

test('malformed files are warnings naming the file, and the rest is still read', async () => {
  const { pkgs, warnings } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0' }),
    '/app/node_modules/bad/package.json': '{"name": "bad", "version": ',
    '/app/node_modules/arr/package.json': '[1,2]',
    '/app/node_modules/good/package.json': json({ name: 'good', version: '1.0.0', license: 42, author: ['x'], dependencies: 'nope' }),
    '/app/package-lock.json': 'not json',
    '/w/yarn.lock': '__metadata:\n  version: 6\n"a@npm:1": [unclosed\n',
    '/x/pnpm-lock.yaml': 'lockfileVersion: [\n',
    '/y/pnpm-lock.yaml': 'packages: {}\n',
  });
  assert.deepEqual(pkgs.map((p) => p.name).sort(), ['app', 'good']);
  const paths = warnings.items.map((w) => w.path).sort();
  assert.deepEqual(paths, ['/app/node_modules/arr/package.json', '/app/node_modules/bad/package.json', '/app/package-lock.json', '/w/yarn.lock', '/x/pnpm-lock.yaml', '/y/pnpm-lock.yaml']);
  for (const w of warnings.items) assert.ok(w.message.includes(w.path!), w.message);
});

test('files over the size cap are not read', async () => {
  const huge = json({ name: 'huge', version: '1.0.0', description: 'x'.repeat(5 * 1024 * 1024) });
  const { pkgs } = await run({
    '/app/node_modules/huge/package.json': huge,
    '/app/node_modules/small/package.json': json({ name: 'small', version: '1.0.0' }),
  });
  assert.deepEqual(pkgs.map((p) => p.name), ['small']);
});

test('yarn.lock with the project manifest: direct, transitive, dev, aliases by tarball', async () => {
  const lock = [
    '# yarn lockfile v1',
    '',
    'x@^1.0.0:',
    '  version "1.0.1"',
    '  resolved "https://registry.yarnpkg.com/x/-/x-1.0.1.tgz#abc"',
    '  dependencies:',
    '    z "^3.0.0"',
    '',
    'y@^2.0.0:',
    '  version "2.0.0"',
    '  dependencies:',
    '    z "^3.0.0"',
    '    w "1"',
    '',
    'z@^3.0.0:',
    '  version "3.1.0"',
    '',
    'w@1:',
    '  version "1.0.0"',
    '',
    '"my-alias@npm:@real/pkg@^4":',
    '  version "4.0.0"',
    '  resolved "https://registry.yarnpkg.com/@real/pkg/-/pkg-4.0.0.tgz"',
    '',
  ].join('\n');
  const { byName } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { x: '^1.0.0', 'my-alias': 'npm:@real/pkg@^4' }, devDependencies: { y: '^2.0.0' } }),
    '/app/yarn.lock': lock,
  });
  const x = byName('x');
  const y = byName('y');
  const z = byName('z');
  assert.equal(x.relationship, 'direct');
  assert.equal(x.metadata?.dev, false);
  assert.equal(y.relationship, 'direct');
  assert.equal(y.metadata?.dev, true);
  assert.equal(z.relationship, 'transitive');
  assert.equal(z.metadata?.dev, false, 'also needed by a production dependency');
  assert.deepEqual([...(z.dependencyOf ?? [])].sort(), [x.id, y.id].sort());
  assert.equal(byName('w').metadata?.dev, true);
  const real = byName('@real/pkg');
  assert.equal(real.purl, 'pkg:npm/%40real/pkg@4.0.0');
  assert.equal(real.relationship, 'direct');
});

test('package-lock v1 aliases and nested resolution', async () => {
  const { byName } = await run({
    '/app/package.json': json({ name: 'app', version: '1.0.0', dependencies: { a: '1', str: 'npm:string-width@4.2.3' } }),
    '/app/package-lock.json': json({
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', requires: { b: '1' }, dependencies: { b: { version: '1.0.0' } } },
        b: { version: '2.0.0' },
        str: { version: 'npm:string-width@4.2.3' },
      },
    }),
  });
  assert.deepEqual(byName('b', '1.0.0').dependencyOf, [byName('a').id]);
  assert.equal(byName('b', '2.0.0').relationship, 'transitive');
  assert.equal(byName('string-width').version, '4.2.3');
  assert.equal(byName('string-width').relationship, 'direct');
});

test('package-lock v2 workspaces and links', async () => {
  const { pkgs, byName } = await run({
    '/mono/package-lock.json': json({
      name: 'mono', lockfileVersion: 2,
      packages: {
        '': { name: 'mono', version: '1.0.0', workspaces: ['packages/*'] },
        'node_modules/web': { resolved: 'packages/web', link: true },
        'packages/web': { name: 'web', version: '0.1.0', dependencies: { left: '^1' } },
        'node_modules/left': { version: '1.3.0' },
      },
    }),
  });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`).sort(), ['left@1.3.0', 'mono@1.0.0', 'web@0.1.0']);
  assert.equal(byName('web').relationship, 'root');
  assert.equal(byName('left').relationship, 'direct');
  assert.ok(byName('left').dependencyOf?.includes(byName('web').id));
});

test('a workspace member is reported once, not again as a project of its own', async () => {
  const { pkgs, byName } = await run({
    '/mono/package.json': json({ name: 'mono', version: '1.0.0', workspaces: ['packages/*'] }),
    '/mono/package-lock.json': json({
      name: 'mono', lockfileVersion: 3,
      packages: {
        '': { name: 'mono', version: '1.0.0', workspaces: ['packages/*'] },
        'node_modules/web': { resolved: 'packages/web', link: true },
        'packages/web': { name: 'web', version: '0.1.0', dependencies: { left: '^1', right: '^2' } },
        'node_modules/left': { version: '1.3.0' },
      },
    }),
    '/mono/packages/web/package.json': json({ name: 'web', version: '0.1.0', dependencies: { left: '^1', right: '^2' } }),
    '/mono/packages/web/node_modules/right/package.json': json({ name: 'right', version: '2.0.0' }),
  });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`).sort(), ['left@1.3.0', 'mono@1.0.0', 'right@2.0.0', 'web@0.1.0']);
  const web = byName('web');
  assert.deepEqual(web.locations.map((l) => l.path).sort(), ['/mono/package-lock.json', '/mono/packages/web/package.json']);
  assert.deepEqual(byName('right').dependencyOf, [web.id]);
  assert.deepEqual([...(web.dependsOn ?? [])].sort(), [byName('left').id, byName('right').id].sort());
});

test('distribution Node packages (/usr/share/nodejs) are installed packages, not projects', async () => {
  const { pkgs, byName } = await run({
    '/usr/share/nodejs/debug/package.json': json({ name: 'debug', version: '4.3.4', dependencies: { ms: '2' } }),
    '/usr/share/nodejs/ms/package.json': json({ name: 'ms', version: '2.1.3' }),
    '/usr/share/nodejs/@types/node/package.json': json({ name: '@types/node', version: '18.0.0' }),
    '/usr/share/nodejs/debug/src/package.json': json({ name: 'not-a-package', version: '0.0.0' }),
    '/usr/share/nodejs/@types/node/ts4.8/package.json': json({ name: 'nor-this', version: '0.0.0' }),
    '/usr/lib/x86_64-linux-gnu/nodejs/bufferutil/package.json': json({ name: 'bufferutil', version: '4.0.7' }),
  });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`).sort(), ['@types/node@18.0.0', 'bufferutil@4.0.7', 'debug@4.3.4', 'ms@2.1.3']);
  for (const n of ['debug', 'ms', '@types/node', 'bufferutil']) assert.equal(byName(n).relationship, 'direct', n);
  assert.deepEqual(byName('debug').dependsOn, [byName('ms').id]);
});

test('author: the author field, else the first contributor, else the first maintainer', async () => {
  const { byName } = await run({
    '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', author: 'App Team', dependencies: { a: '1', b: '1', c: '1', d: '1' } }),
    '/app/node_modules/a/package.json': JSON.stringify({ name: 'a', version: '1.0.0', author: { name: 'Ann', email: 'ann@example.org' }, contributors: ['Zed'] }),
    '/app/node_modules/b/package.json': JSON.stringify({ name: 'b', version: '1.0.0', contributors: [{ name: 'Ben Davies', url: 'https://github.com/ben' }, 'Other'], maintainers: ['Mo'] }),
    '/app/node_modules/c/package.json': JSON.stringify({ name: 'c', version: '1.0.0', maintainers: [{ name: 'Cy', email: 'cy@example.org' }] }),
    '/app/node_modules/d/package.json': JSON.stringify({ name: 'd', version: '1.0.0', contributors: [], maintainers: 'not a list' }),
  });
  assert.equal(byName('app').author, 'App Team');
  assert.equal(byName('a').author, 'Ann <ann@example.org>');
  assert.equal(byName('b').author, 'Ben Davies (https://github.com/ben)');
  assert.equal(byName('c').author, 'Cy <cy@example.org>');
  assert.equal(byName('d').author, undefined);
});
