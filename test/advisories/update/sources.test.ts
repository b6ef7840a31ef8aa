import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSources, mirrorUrl, osvUrls, resolveSources, sourcesConfigPath, type SourceSpec } from '../../../src/advisories/update/sources.js';
import { timestampKey } from '../../../src/advisories/update/update.js';
import { ScoutError } from '../../../src/util/errors.js';

function configDir(t: { after: (fn: () => void) => void }, config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'scout-sources-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  if (config !== undefined) writeFileSync(join(dir, 'sources.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

const byName = (list: SourceSpec[], name: string) => list.find((s) => s.name === name);

test('defaults: osv.dev per-ecosystem directories, KEV, EPSS; distro-native feeds listed but disabled', () => {
  const list = defaultSources();
  const npm = byName(list, 'osv-npm')!;
  assert.equal(osvUrls.all(npm), 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip');
  assert.equal(osvUrls.modified(npm), 'https://osv-vulnerabilities.storage.googleapis.com/npm/modified_id.csv');
  assert.equal(osvUrls.record(npm, 'GHSA-rv95-896h-c2vc'), 'https://osv-vulnerabilities.storage.googleapis.com/npm/GHSA-rv95-896h-c2vc.json');
  assert.equal(osvUrls.all(byName(list, 'osv-crates.io')!), 'https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip');
  assert.equal(osvUrls.all(byName(list, 'osv-red-hat')!), 'https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip');
  for (const eco of ['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'RubyGems', 'NuGet', 'Packagist', 'Debian', 'Alpine', 'Ubuntu']) {
    const s = list.find((x) => x.type === 'osv' && x.ecosystem === eco);
    assert.ok(s?.enabled, eco);
  }
  assert.equal(byName(list, 'cisa-kev')?.url, 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json');
  assert.equal(byName(list, 'epss')?.url, 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz');
  assert.equal(byName(list, 'debian-tracker')?.url, 'https://security-tracker.debian.org/tracker/data/json');
  assert.equal(byName(list, 'debian-tracker')?.enabled, false);
  assert.equal(byName(list, 'alpine-secdb-v3.20-community')?.url, 'https://secdb.alpinelinux.org/v3.20/community.json');
  assert.equal(new Set(list.map((s) => s.name)).size, list.length, 'names are unique');
});

test('config location: SCOUT_CONFIG_DIR, else XDG_CONFIG_HOME/iechor-scout', () => {
  assert.equal(sourcesConfigPath({ SCOUT_CONFIG_DIR: '/etc/scout' }), join('/etc/scout', 'sources.json'));
  assert.equal(sourcesConfigPath({ XDG_CONFIG_HOME: '/home/u/.cfg' }), join('/home/u/.cfg', 'iechor-scout', 'sources.json'));
});

test('SCOUT_ADVISORY_MIRROR replaces the origin of every source and keeps the path', (t) => {
  const dir = configDir(t);
  const list = resolveSources({ env: { SCOUT_CONFIG_DIR: dir, SCOUT_ADVISORY_MIRROR: 'http://mirror.internal:8080/feeds/' } });
  assert.equal(osvUrls.all(byName(list, 'osv-PyPI'.toLowerCase())!), 'http://mirror.internal:8080/feeds/PyPI/all.zip');
  assert.equal(byName(list, 'cisa-kev')?.url, 'http://mirror.internal:8080/feeds/sites/default/files/feeds/known_exploited_vulnerabilities.json');
  assert.equal(byName(list, 'debian-tracker')?.url, 'http://mirror.internal:8080/feeds/tracker/data/json');
  assert.ok(list.every((s) => s.url.startsWith('http://mirror.internal:8080/feeds/')));
  assert.equal(mirrorUrl('https://a.example/x/y.json?z=1', 'https://m.example'), 'https://m.example/x/y.json?z=1');
  // A directory (air-gapped): an absolute path or a file: URL, with the same layout.
  for (const m of ['file:///srv/feeds', '/srv/feeds']) {
    const local = resolveSources({ env: { SCOUT_CONFIG_DIR: dir, SCOUT_ADVISORY_MIRROR: m } });
    assert.equal(byName(local, 'cisa-kev')?.url, 'file:///srv/feeds/sites/default/files/feeds/known_exploited_vulnerabilities.json');
  }
  for (const m of ['ftp://mirror/feeds', 'feeds/relative', 'mirror.internal:8080/feeds']) {
    assert.throws(() => resolveSources({ env: { SCOUT_CONFIG_DIR: dir, SCOUT_ADVISORY_MIRROR: m } }), /SCOUT_ADVISORY_MIRROR is not an http\(s\) URL, a file: URL or an absolute directory path/);
  }
});

test('config file: enable/disable/add adjust the defaults; "sources" replaces them; the env mirror wins', (t) => {
  const dir = configDir(t, {
    disable: ['osv-debian', 'epss'],
    enable: ['debian-tracker'],
    add: [{ name: 'internal-osv', type: 'osv', ecosystem: 'npm', url: 'https://osv.corp.example/npm/' }, { type: 'osv', ecosystem: 'Hackage' }],
    mirror: 'https://from-config.example',
  });
  const list = resolveSources({ env: { SCOUT_CONFIG_DIR: dir } });
  assert.equal(byName(list, 'osv-debian')?.enabled, false);
  assert.equal(byName(list, 'epss')?.enabled, false);
  assert.equal(byName(list, 'debian-tracker')?.enabled, true);
  assert.equal(byName(list, 'internal-osv')?.url, 'https://from-config.example/npm', 'config mirror applies, trailing slash dropped');
  assert.equal(byName(list, 'osv-hackage')?.url, 'https://from-config.example/Hackage');
  const envWins = resolveSources({ env: { SCOUT_CONFIG_DIR: dir, SCOUT_ADVISORY_MIRROR: 'http://127.0.0.1:9' } });
  assert.equal(byName(envWins, 'cisa-kev')?.url, 'http://127.0.0.1:9/sites/default/files/feeds/known_exploited_vulnerabilities.json');

  const only = configDir(t, { sources: [{ name: 'kev-copy', type: 'cisa-kev', url: 'https://kev.example/kev.json' }] });
  assert.deepEqual(resolveSources({ env: { SCOUT_CONFIG_DIR: only } }), [{ name: 'kev-copy', type: 'cisa-kev', url: 'https://kev.example/kev.json', enabled: true }]);
});

test('a broken config file is an error naming the file, never a silent fallback to the public feeds', (t) => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    [{ disable: ['no-such-source'] }, /"disable": no source named "no-such-source"/],
    [{ sources: [{ name: 'x', type: 'ftp', url: 'https://a.example' }] }, /sources\[0\]\.type must be one of/],
    [{ sources: [{ name: 'x', type: 'cisa-kev', url: 'file:///etc/passwd' }] }, /sources\[0\]\.url must be an http\(s\) URL/],
    [{ sources: [{ name: 'x', type: 'epss', url: 'https://a.example' }, { name: 'x', type: 'epss', url: 'https://b.example' }] }, /appears twice/],
    [{ add: [{ name: '../evil', type: 'epss', url: 'https://a.example' }] }, /add\[0\]\.name is required/],
    [{ mirror: 42 }, /"mirror" must be an http\(s\) URL/],
  ];
  for (const [config, message] of cases) {
    const dir = configDir(t, config);
    assert.throws(() => resolveSources({ env: { SCOUT_CONFIG_DIR: dir } }), (err: unknown) => {
      assert.ok(err instanceof ScoutError);
      assert.equal(err.code, 'sources-config');
      assert.equal(err.path, join(dir, 'sources.json'));
      assert.match(err.message, message);
      return true;
    }, JSON.stringify(config));
  }
  assert.throws(() => resolveSources({ configFile: join(configDir(t), 'missing.json') }), /cannot read/);
});

test('timestampKey orders RFC 3339 timestamps at nanosecond precision and across offsets', () => {
  const a = timestampKey('2026-09-10T03:50:18.292199548Z')!;
  const b = timestampKey('2026-09-10T03:50:18.2921996Z')!;
  assert.ok(a < b, 'Date.parse would call these equal');
  assert.equal(timestampKey('2024-05-01T14:00:00+02:00'), timestampKey('2024-05-01T12:00:00Z'));
  assert.equal(timestampKey('2024-05-01T14:00:00+0200'), timestampKey('2024-05-01T12:00:00Z'));
  assert.ok(timestampKey('0001-01-01T00:00:00Z')! < timestampKey('1999-12-31T23:59:59Z')!);
  for (const bad of ['', 'yesterday', '2024-05-01', '2024-13-01T00:00:00Z', '2024-05-01T00:00:00.1234567890Z']) assert.equal(timestampKey(bad), undefined, bad);
});
