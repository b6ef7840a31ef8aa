import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGemfileLock } from '../../../src/catalog/gem/gemfile-lock.js';
import { parseGemspec } from '../../../src/catalog/gem/gemspec.js';
import { gemCataloger } from '../../../src/catalog/gem/index.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';

const HOME = '/usr/local/bundle/specifications';

async function catalog(files: Record<string, MemoryEntry>): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const tree = await treeFromMemory([files], gemCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: gemCataloger.catalog(tree, { warnings }), warnings };
}

function spec(name: string, version: string, body = ''): string {
  return `# stub: ${name}\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}"\n${body}\nend\n`;
}

test('gemspec value forms: Gem::Version.new, %q, single quotes, escapes, constants, interpolation', () => {
  const s = parseGemspec(`VERSION = "2.0.1".freeze
Gem::Specification.new do |spec|
  spec.name = %q{my-gem}
  spec.version = Gem::Version.new(VERSION)
  spec.authors = ['O\\'Brien'.freeze, "Jos\\u00E9"] # trailing comment
  spec.license = "Apache-2.0"
  spec.summary = "v#{spec.version} of #{spec.name}".freeze
  spec.homepage = "https://example.com/#{UNKNOWN_CONST}"
  spec.add_runtime_dependency(%q<rack>.freeze, [">= 2"])
  spec.add_dependency "json", "~> 2"
  spec.add_development_dependency(%q<rake>.freeze, [">= 0"])
end`);
  assert.equal(s.name, 'my-gem');
  assert.equal(s.version, '2.0.1');
  assert.deepEqual(s.authors, ["O'Brien", 'José']);
  assert.deepEqual(s.licenses, ['Apache-2.0']);
  assert.equal(s.summary, 'v2.0.1 of my-gem');
  assert.equal(s.homepage, 'https://example.com/#{UNKNOWN_CONST}');
  assert.deepEqual(s.runtimeDependencies, ['rack', 'json']);
});

test('installed gems: purl, licenses, author, dependencies and inferred relationship', async () => {
  const { pkgs, warnings } = await catalog({
    [`${HOME}/rails-7.0.4.gemspec`]: spec('rails', '7.0.4', '  s.licenses = ["MIT".freeze]\n  s.authors = ["DHH".freeze]\n  s.summary = "Full-stack web framework".freeze\n  s.add_runtime_dependency(%q<rack>.freeze, [">= 2"])'),
    [`${HOME}/rack-3.0.8.gemspec`]: spec('rack', '3.0.8', '  s.licenses = ["MIT".freeze]'),
    [`${HOME}/default/json-2.6.3.gemspec`]: spec('json', '2.6.3', '  s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]'),
  });
  assert.deepEqual(warnings.items, []);
  const by = new Map(pkgs.map((p) => [p.name, p]));
  const rails = by.get('rails')!;
  assert.equal(rails.purl, 'pkg:gem/rails@7.0.4');
  assert.equal(rails.author, 'DHH');
  assert.equal(rails.description, 'Full-stack web framework');
  assert.deepEqual(rails.licenses, [{ spdx: 'MIT' }]);
  assert.deepEqual(rails.dependsOn, [by.get('rack')!.id]);
  assert.equal(rails.relationship, 'direct');
  assert.equal(by.get('rack')!.relationship, 'transitive');
  assert.deepEqual(by.get('json')!.licenses, [{ spdx: 'Ruby' }, { spdx: 'BSD-2-Clause' }]);
  assert.equal(by.get('json')!.metadata?.defaultGem, true);
});

const LOCK = `GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (3.0.8)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri
  rack (~> 3.0)

BUNDLED WITH
   2.4.19
`;

test('Gemfile.lock: versions, platforms, direct dependencies', () => {
  const lock = parseGemfileLock(LOCK);
  assert.deepEqual(lock.gems.map((g) => [g.name, g.version, g.platform ?? null, g.dependencies]), [
    ['nokogiri', '1.15.4', 'x86_64-linux', ['racc']],
    ['racc', '1.7.1', null, []],
    ['rack', '3.0.8', null, []],
  ]);
  assert.deepEqual([...lock.direct].sort(), ['nokogiri', 'rack']);
});

test('a Gemfile.lock adds gems not installed as gemspecs and sets relationships of installed ones', async () => {
  const { pkgs } = await catalog({
    [`${HOME}/rack-3.0.8.gemspec`]: spec('rack', '3.0.8'),
    [`${HOME}/sinatra-3.1.0.gemspec`]: spec('sinatra', '3.1.0', '  s.add_runtime_dependency(%q<rack>.freeze, [">= 2"])'),
    '/app/Gemfile.lock': LOCK,
  });
  const by = new Map(pkgs.map((p) => [p.name, p]));
  assert.equal(pkgs.length, 4);
  // rack is required by sinatra, but the Gemfile names it: the lock wins.
  assert.equal(by.get('rack')!.relationship, 'direct');
  assert.equal(by.get('rack')!.locations[0].path, `${HOME}/rack-3.0.8.gemspec`);
  const noko = by.get('nokogiri')!;
  assert.equal(noko.purl, 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux');
  assert.equal(noko.relationship, 'direct');
  assert.deepEqual(noko.dependsOn, [by.get('racc')!.id]);
  assert.equal(by.get('racc')!.relationship, 'transitive');
});

test('broken gemspecs are reported and skipped', async () => {
  const { pkgs, warnings } = await catalog({
    [`${HOME}/empty.gemspec`]: 'Gem::Specification.new do |s|\nend\n',
    [`${HOME}/garbage.gemspec`]: Buffer.from([0xff, 0xfe, 0, 1, 2]),
    [`${HOME}/weird.gemspec`]: 'Gem::Specification.new do |s|\n  s.name = "a b"\n  s.version = [[[[[[[[[[[[["1"\n  s.authors = %q{unterminated\n',
    [`${HOME}/ok-1.0.gemspec`]: spec('ok', '1.0'),
  });
  assert.deepEqual(pkgs.map((p) => p.name), ['ok']);
  assert.equal(warnings.items.length, 3);
  for (const w of warnings.items) assert.equal(w.code, 'gemspec-incomplete');
});
