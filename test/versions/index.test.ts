import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemeForEcosystem, schemeForPurlType } from '../../src/versions/index.js';

test('schemeForEcosystem: OSV ecosystem strings, with and without release suffixes', () => {
  const cases: [string, string | undefined][] = [
    ['Debian:12', 'dpkg'], ['Debian', 'dpkg'], ['Ubuntu:22.04:LTS', 'dpkg'], ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Alpine:v3.20', 'apk'], ['Wolfi', 'apk'], ['Chainguard', 'apk'],
    ['Red Hat', 'rpm'], ['Red Hat:rhel_aus:8.4::appstream', 'rpm'], ['Rocky Linux:9', 'rpm'], ['AlmaLinux:8', 'rpm'], ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['npm', 'semver'], ['crates.io', 'semver'], ['PyPI', 'pep440'], ['Maven', 'maven'], ['Maven:https://maven.google.com', 'maven'],
    ['RubyGems', 'rubygems'], ['Go', 'golang'], ['NuGet', 'nuget'], ['Packagist', 'composer'], ['Packagist:https://packages.drupal.org/8', 'composer'],
    ['Root:Alpine:3.18', 'apk'], ['Root:Debian:12', 'dpkg'], ['Root:PyPI', 'pep440'],
    ['pypi', undefined], ['Android', undefined], ['GIT', undefined], ['', undefined], ['Root', undefined], ['Root:Root:npm', undefined],
  ];
  for (const [eco, want] of cases) assert.equal(schemeForEcosystem(eco)?.name, want, eco);
});

test('schemeForPurlType: purl types, case-insensitive', () => {
  const cases: [string, string | undefined][] = [
    ['deb', 'dpkg'], ['rpm', 'rpm'], ['apk', 'apk'], ['npm', 'semver'], ['cargo', 'semver'], ['pypi', 'pep440'], ['maven', 'maven'],
    ['gem', 'rubygems'], ['golang', 'golang'], ['nuget', 'nuget'], ['composer', 'composer'], ['DEB', 'dpkg'],
    ['docker', undefined], ['generic', undefined], ['', undefined],
  ];
  for (const [type, want] of cases) assert.equal(schemeForPurlType(type)?.name, want, type);
});
