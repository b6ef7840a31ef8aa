import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affected } from '../../src/advisories/model.js';
import { evaluateAffected } from '../../src/match/osv-range.js';
import { dpkgScheme, mavenScheme, pep440Scheme, semverScheme } from '../../src/versions/index.js';
import { rawRecords } from './helpers.js';

const ctx = { advisory: 'T', ecosystem: 'x', package: 'p' };

function entryOf(file: string, id: string, name: string): Affected {
  const r = rawRecords(file).find((x) => x.id === id);
  assert.ok(r, `${id} in ${file}`);
  const e = r.affected.find((a) => a.package?.name === name);
  assert.ok(e);
  return { ...e, ranges: e.ranges ?? [], versions: e.versions ?? [] };
}

test('several introduced/fixed pairs in one range (PYSEC-2021-370 accesscontrol 4.0–4.3, 5.0–5.2)', () => {
  const e = entryOf('pypi.osv.jsonl.gz', 'PYSEC-2021-370', 'accesscontrol');
  const eco = e.ranges.find((r) => r.type === 'ECOSYSTEM')!;
  assert.deepEqual(eco.events, [{ introduced: '4.0' }, { fixed: '4.3' }, { introduced: '5.0' }, { fixed: '5.2' }]);
  const at = (v: string) => evaluateAffected({ ...e, versions: [] }, v, pep440Scheme, ctx);
  assert.deepEqual([at('3.9').affected, at('4.0').affected, at('4.2').affected, at('4.3').affected, at('5.1').affected, at('5.2').affected], [false, true, true, false, true, false]);
  assert.deepEqual(at('4.2').fixed, ['4.3']);
  assert.deepEqual(at('5.1').fixed, ['5.2']);
  assert.deepEqual(at('5.1').matchedRanges, ['>=4.0, <4.3, >=5.0, <5.2']);
});

test('last_affected includes its own version and nothing above (PYSEC-2026-2327)', () => {
  const e = entryOf('pypi.osv.jsonl.gz', 'PYSEC-2026-2327', 'adx-mcp-server');
  const ev = (v: string) => evaluateAffected({ ...e, versions: [] }, v, pep440Scheme, ctx);
  assert.equal(ev('1.1.0').affected, true);
  assert.deepEqual(ev('1.1.0').fixed, []);
  assert.equal(ev('1.1.1').affected, false);
  const le = ev('1.1.1').trace.find((t) => t.event === 'last_affected');
  assert.equal(le?.comparison, 1);
  assert.equal(le?.affectedAfter, false);
});

test('GIT ranges are ignored; the versions list still matches exactly (PYSEC-2021-335)', () => {
  const e = entryOf('pypi.osv.jsonl.gz', 'PYSEC-2021-335', 'accesscontrol');
  const gitOnly: Affected = { ...e, ranges: e.ranges.filter((r) => r.type === 'GIT') };
  const listed = e.versions[0];
  const hit = evaluateAffected(gitOnly, listed, pep440Scheme, ctx);
  assert.equal(hit.affected, true);
  assert.equal(hit.viaVersions, true);
  assert.ok(hit.trace.some((t) => t.kind === 'ignored' && t.rangeType === 'GIT'));
  assert.equal(evaluateAffected({ ...gitOnly, versions: [] }, listed, pep440Scheme, ctx).affected, false);
});

test('versions list uses the scheme equality (Maven 1.0 = 1.0.0), not string equality', () => {
  const e: Affected = { package: { ecosystem: 'Maven', name: 'g:a' }, ranges: [], versions: ['1.0.0', '2.0'] };
  assert.equal(evaluateAffected(e, '1.0', mavenScheme, ctx).affected, true);
  assert.equal(evaluateAffected(e, '2', mavenScheme, ctx).affected, true);
  assert.equal(evaluateAffected(e, '1.1', mavenScheme, ctx).affected, false);
});

test('events are sorted by the scheme before walking; introduced "0" first; epochs count (dpkg)', () => {
  const e: Affected = { package: { ecosystem: 'Debian:12', name: 'openssh' }, ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1:9.2p1-2+deb12u3' }, { introduced: '0' }] }], versions: [] };
  const r = evaluateAffected(e, '1:9.2p1-2', dpkgScheme, ctx);
  assert.equal(r.affected, true);
  assert.deepEqual(r.fixed, ['1:9.2p1-2+deb12u3']);
  assert.deepEqual(r.trace.filter((t) => t.kind === 'event').map((t) => t.event), ['introduced', 'fixed']);
  // Without the epoch the installed version is older than every 1: version, still affected.
  assert.equal(evaluateAffected(e, '9.9p1-1', dpkgScheme, ctx).affected, true);
  assert.equal(evaluateAffected(e, '1:9.2p1-2+deb12u3', dpkgScheme, ctx).affected, false);
});

test('limit bounds a range from above; several ranges are alternatives', () => {
  const e: Affected = {
    package: { ecosystem: 'npm', name: 'x' },
    ranges: [
      { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { limit: '1.5.0' }] },
      { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.1.0' }] },
    ],
    versions: [],
  };
  assert.equal(evaluateAffected(e, '1.4.9', semverScheme, ctx).affected, true);
  assert.equal(evaluateAffected(e, '1.5.0', semverScheme, ctx).affected, false);
  const two = evaluateAffected(e, '2.0.5', semverScheme, ctx);
  assert.equal(two.affected, true);
  assert.deepEqual(two.fixed, ['2.1.0']);
  assert.equal(two.trace.filter((t) => t.kind === 'range-result').length, 2);
});

test('a version the scheme cannot order skips the entry with a reason instead of throwing', () => {
  const e: Affected = { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'v%%' }] }], versions: [] };
  const r = evaluateAffected(e, '1.0.0', semverScheme, ctx);
  assert.equal(r.affected, false);
  assert.equal(r.skipped?.reason, 'invalid-version');
  assert.ok(r.trace.some((t) => t.kind === 'skipped'));
});
