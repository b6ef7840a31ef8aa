/**
 * OSV entries as a hostile or broken feed may write them: nulls where ranges, events or listed
 * versions belong, versions the scheme refuses or cannot order, and '0' in an event other than
 * 'introduced'. Evaluation never throws, and a skipped entry says which version was wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affected, AffectedRange, RangeEvent } from '../../src/advisories/model.js';
import { evaluateAffected } from '../../src/match/osv-range.js';
import { dpkgScheme, mavenScheme, semverScheme } from '../../src/versions/index.js';

const ctx = { advisory: 'GHSA-test', ecosystem: 'npm', package: 'p' };
const entry = (ranges: unknown[], versions: unknown = []): Affected => ({ package: { ecosystem: 'npm', name: 'p' }, ranges: ranges as AffectedRange[], versions: versions as string[] });

test('null ranges, a null or missing versions list, and null listed versions are passed over', () => {
  const r = evaluateAffected(entry([null, { type: 'SEMVER', events: [{ introduced: '1.0.0' }] }], [null, '0.5.0']), '0.5.0', semverScheme, ctx);
  assert.equal(r.affected, true);
  assert.equal(r.viaVersions, true);
  assert.deepEqual(r.trace[0], { ...ctx, installed: '0.5.0', kind: 'ignored', rangeIndex: 0, rangeType: 'undefined', note: 'GIT and unknown range types name commits, not versions' });
  assert.equal(r.trace.at(-1)?.note, 'listed in versions (2 entries) as 0.5.0');
  for (const versions of [null, undefined, 'not a list', { 0: '0.5.0' }]) {
    const none = evaluateAffected(entry([], versions), '0.5.0', semverScheme, ctx);
    assert.equal(none.affected, false);
    assert.deepEqual(none.trace, [], `${JSON.stringify(versions)}: no list, nothing to note`);
  }
  assert.equal(evaluateAffected(entry([null], [null]), '1.0.0', semverScheme, ctx).trace.at(-1)?.note, 'not among 1 listed versions (1 unreadable)');
});

test('an empty versions list adds nothing to the trace', () => {
  const r = evaluateAffected(entry([{ type: 'SEMVER', events: [{ introduced: '2.0.0' }] }]), '1.0.0', semverScheme, ctx);
  assert.deepEqual(r.trace.map((t) => t.kind), ['event', 'range-result']);
});

test('a range with a version the scheme cannot order is skipped before any of its events is walked', () => {
  const r = evaluateAffected(entry([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'v%%' }] }]), '1.0.0', semverScheme, ctx);
  assert.deepEqual(r.trace.map((t) => t.kind), ['skipped']);
  assert.equal(r.skipped?.detail, '"v%%" is not a semver version');
});

test('an event version over 256 characters is too large, even for a scheme that refuses it anyway', () => {
  // Maven refuses versions over 256 characters itself; the size check comes first and says so.
  const long = '1.' + '0'.repeat(300);
  const r = evaluateAffected(entry([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: long }] }]), '1.0', mavenScheme, ctx);
  assert.deepEqual(r.skipped, { reason: 'too-large', detail: 'version longer than 256 characters' });
});

test('a version that cannot be ordered is named by its first 80 characters', () => {
  const bad = 'v%' + 'x'.repeat(200);
  const r = evaluateAffected(entry([{ type: 'SEMVER', events: [{ introduced: bad }] }]), '1.0.0', semverScheme, ctx);
  assert.deepEqual(r.skipped, { reason: 'invalid-version', detail: `${JSON.stringify(bad.slice(0, 80))} is not a semver version` });
});

test("only 'introduced: \"0\"' means from the beginning: '0' in another event is a version like any other", () => {
  // dpkg orders '0~rc1' before '0': with last_affected '0' it is still affected, and with fixed
  // '0' too (the fix comes after it).
  const last = entry([{ type: 'ECOSYSTEM', events: [{ introduced: '0~' }, { last_affected: '0' }] }]);
  assert.equal(evaluateAffected(last, '0~rc1', dpkgScheme, ctx).affected, true);
  assert.equal(evaluateAffected(last, '0.1', dpkgScheme, ctx).affected, false);
  const fixed = entry([{ type: 'ECOSYSTEM', events: [{ introduced: '0~' }, { fixed: '0' }] }]);
  const r = evaluateAffected(fixed, '0~rc1', dpkgScheme, ctx);
  assert.equal(r.affected, true);
  assert.deepEqual(r.fixed, ['0']);
  // For semver '0' is not a version at all.
  assert.equal(evaluateAffected(entry([{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '0' } as RangeEvent] }]), '1.0.0', semverScheme, ctx).skipped?.reason, 'invalid-version');
});

test('one malformed events array met at two positions is reported at each position', () => {
  // The store hands out the same objects, and a range is prepared once per events array: the
  // position in the message must still be this entry's.
  const events = [{ introduced: '0' }, {}] as RangeEvent[];
  const first = evaluateAffected(entry([{ type: 'SEMVER', events }]), '1.0.0', semverScheme, ctx);
  assert.equal(first.skipped?.detail, 'range 0 has an event without a version');
  const second = evaluateAffected(entry([{ type: 'SEMVER', events: [{ introduced: '0' }] }, { type: 'SEMVER', events }]), '1.0.0', semverScheme, ctx);
  assert.equal(second.skipped?.detail, 'range 1 has an event without a version');
  assert.equal(evaluateAffected(entry([{ type: 'SEMVER', events }]), '1.0.0', semverScheme, ctx).skipped?.detail, 'range 0 has an event without a version');
});
