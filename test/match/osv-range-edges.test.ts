/**
 * The edges of OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation) that the
 * record-based tests in osv-range.test.ts do not reach: each size limit at its bound, malformed
 * ranges, what the trace records for each event, which fix is reported, the `versions` list's
 * unreadable entries, remembered comparisons and the lazily written trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affected, AffectedRange, RangeEvent } from '../../src/advisories/model.js';
import { describeRange, evaluateAffected, RANGE_LIMITS } from '../../src/match/osv-range.js';
import { dpkgScheme, mavenScheme, semverScheme } from '../../src/versions/index.js';

const ctx = { advisory: 'GHSA-test', ecosystem: 'npm', package: 'p' };

function entry(ranges: AffectedRange[], versions: string[] = []): Affected {
  return { package: { ecosystem: 'npm', name: 'p' }, ranges, versions };
}
const semver = (...events: RangeEvent[]): AffectedRange => ({ type: 'SEMVER', events });

test('the size limits hold at their bound and refuse one more', () => {
  assert.deepEqual(RANGE_LIMITS, { rangesPerEntry: 200, eventsPerRange: 1000, versionsPerEntry: 100_000, versionLength: 256 });
  const r = semver({ introduced: '1.0.0' }, { fixed: '2.0.0' });

  const ranges = (n: number) => entry(Array.from({ length: n }, () => r));
  assert.equal(evaluateAffected(ranges(200), '1.5.0', semverScheme, ctx).affected, true);
  assert.deepEqual(evaluateAffected(ranges(201), '1.5.0', semverScheme, ctx).skipped, { reason: 'too-large', detail: '201 ranges in one entry' });

  // 1000 events: introduced/fixed pairs 0.0.1–0.0.2, 0.0.3–0.0.4, …
  const events = (n: number) => entry([semver(...Array.from({ length: n }, (_, i): RangeEvent => (i % 2 === 0 ? { introduced: `0.0.${i + 1}` } : { fixed: `0.0.${i + 1}` })))]);
  const e1000 = evaluateAffected(events(1000), '0.0.999', semverScheme, ctx);
  assert.equal(e1000.affected, true);
  assert.deepEqual(e1000.fixed, ['0.0.1000']);
  assert.deepEqual(evaluateAffected(events(1001), '0.0.999', semverScheme, ctx).skipped, { reason: 'too-large', detail: 'range 0 has 1001 events' });

  const listed = (n: number) => entry([], Array.from({ length: n }, (_, i) => `9.${i}.0`));
  assert.equal(evaluateAffected(listed(100_000), '9.99999.0', semverScheme, ctx).viaVersions, true);
  assert.deepEqual(evaluateAffected(listed(100_001), '9.99999.0', semverScheme, ctx).skipped, { reason: 'too-large', detail: '100001 versions in one entry' });
});

test('an event version of 256 characters is compared; one of 257 skips the entry', () => {
  // dpkg orders digit runs of any length, so only the limit decides.
  const v256 = '1.' + '0'.repeat(253) + '1';
  assert.equal(v256.length, 256);
  const at = (fixed: string) => evaluateAffected(entry([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }]), '0.9', dpkgScheme, ctx);
  const ok = at(v256);
  assert.equal(ok.skipped, undefined);
  assert.equal(ok.affected, true);
  assert.deepEqual(ok.fixed, [v256]);
  const over = at(v256 + '1');
  assert.deepEqual(over.skipped, { reason: 'too-large', detail: 'version longer than 256 characters' });
  assert.equal(over.affected, false);
});

test('a listed version over 256 characters is unreadable, even when it is the installed string', () => {
  const long = '1.' + '0'.repeat(255);
  const r = evaluateAffected(entry([], [long, '2.0']), long, dpkgScheme, ctx);
  assert.equal(r.affected, false);
  assert.equal(r.trace.find((t) => t.kind === 'versions')?.note, 'not among 2 listed versions (1 unreadable)');
  const fits = long.slice(0, 256);
  const hit = evaluateAffected(entry([], [fits]), fits, dpkgScheme, ctx);
  assert.equal(hit.affected, true);
  assert.deepEqual(hit.matchedRanges, [`=${fits}`]);
});

test('malformed ranges skip the entry with a reason naming the range', () => {
  const bad = (r: unknown) => evaluateAffected(entry([semver({ introduced: '0' }), r as AffectedRange]), '1.0.0', semverScheme, ctx);
  assert.deepEqual(bad({ type: 'SEMVER' }).skipped, { reason: 'bad-range', detail: 'range 1 has no events list' });
  assert.deepEqual(bad(semver({ introduced: '0' }, {} as RangeEvent)).skipped, { reason: 'bad-range', detail: 'range 1 has an event without a version' });
  assert.deepEqual(bad(semver({ fixed: 2 } as unknown as RangeEvent)).skipped, { reason: 'bad-range', detail: 'range 1 has an event without a version' });
  assert.deepEqual(bad(semver(null as unknown as RangeEvent)).skipped, { reason: 'bad-range', detail: 'range 1 has an event without a version' });
  const skipped = bad({ type: 'SEMVER' });
  assert.deepEqual(skipped.fixed, []);
  assert.deepEqual(skipped.matchedRanges, []);
  assert.equal(skipped.viaVersions, false);
  assert.deepEqual(skipped.trace.map((t) => [t.kind, t.note]), [
    ['event', undefined],
    ['range-result', '>=0: includes 1.0.0'],
    ['skipped', 'bad-range: range 1 has no events list'],
  ]);
  // An event version the scheme cannot order names it in the reason.
  assert.deepEqual(bad(semver({ introduced: 'v%%' })).skipped, { reason: 'invalid-version', detail: '"v%%" is not a semver version' });
});

test('the trace records each event: the comparison with the installed version and the state after it', () => {
  const e = entry([semver({ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '2.0.0' }, { last_affected: '2.5.0' }, { limit: '3.0.0' })]);
  const events = (v: string) => evaluateAffected(e, v, semverScheme, ctx).trace.filter((t) => t.kind === 'event').map((t) => [t.event, t.eventVersion, t.comparison, t.affectedAfter]);
  assert.deepEqual(events('2.5.0'), [
    ['introduced', '0', 1, true],
    ['fixed', '1.0.0', 1, false],
    ['introduced', '2.0.0', 1, true],
    ['last_affected', '2.5.0', 0, true],
    ['limit', '3.0.0', -1, true],
  ]);
  assert.deepEqual(events('2.5.1').slice(3), [
    ['last_affected', '2.5.0', 1, false],
    ['limit', '3.0.0', -1, false],
  ]);
  const full = evaluateAffected(e, '0.5.0', semverScheme, ctx);
  const first = full.trace[0];
  assert.deepEqual({ ...first }, { advisory: 'GHSA-test', ecosystem: 'npm', package: 'p', installed: '0.5.0', kind: 'event', rangeIndex: 0, rangeType: 'SEMVER', event: 'introduced', eventVersion: '0', comparison: 1, affectedAfter: true });
  const result = full.trace.find((t) => t.kind === 'range-result');
  assert.deepEqual({ ...result }, { advisory: 'GHSA-test', ecosystem: 'npm', package: 'p', installed: '0.5.0', kind: 'range-result', rangeIndex: 0, rangeType: 'SEMVER', affectedAfter: true, note: '>=0, <1.0.0, >=2.0.0, <=2.5.0, <3.0.0 (limit): includes 0.5.0' });
  assert.equal(evaluateAffected(e, '1.5.0', semverScheme, ctx).trace.find((t) => t.kind === 'range-result')?.note, '>=0, <1.0.0, >=2.0.0, <=2.5.0, <3.0.0 (limit): does not include 1.5.0');
});

test('a limit at or below the installed version puts it outside, whatever came before', () => {
  const e = entry([semver({ introduced: '1.0.0' }, { limit: '2.0.0' })]);
  assert.deepEqual(['1.9.9', '2.0.0', '2.0.1', '0.9.0'].map((v) => evaluateAffected(e, v, semverScheme, ctx).affected), [true, false, false, false]);
  assert.deepEqual(evaluateAffected(e, '1.9.9', semverScheme, ctx).matchedRanges, ['>=1.0.0, <2.0.0 (limit)']);
});

test('the fix reported is the first one above the installed version, once, and only for ranges that include it', () => {
  // Two pairs in one range: below 2.0 the first fix counts; within the second pair the second.
  const two = entry([semver({ introduced: '1.0.0' }, { fixed: '1.1.0' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }, { fixed: '2.2.0' })]);
  assert.deepEqual(evaluateAffected(two, '1.0.5', semverScheme, ctx).fixed, ['1.1.0']);
  assert.deepEqual(evaluateAffected(two, '2.0.5', semverScheme, ctx).fixed, ['2.1.0']);
  assert.deepEqual(evaluateAffected(two, '1.5.0', semverScheme, ctx).fixed, [], 'not affected: no fix to report');
  // Before the range opens a fix is not yet "the next fix".
  const late = entry([semver({ fixed: '0.5.0' }, { introduced: '1.0.0' }, { fixed: '1.1.0' })]);
  assert.deepEqual(evaluateAffected(late, '1.0.0', semverScheme, ctx).fixed, ['1.1.0']);
  // Two ranges naming the same fix report it once; two different fixes both.
  const same = entry([semver({ introduced: '0' }, { fixed: '3.0.0' }), semver({ introduced: '1.0.0' }, { fixed: '3.0.0' })]);
  assert.deepEqual(evaluateAffected(same, '2.0.0', semverScheme, ctx).fixed, ['3.0.0']);
  const both = entry([semver({ introduced: '0' }, { fixed: '3.0.0' }), semver({ introduced: '1.0.0' }, { fixed: '2.5.0' })]);
  assert.deepEqual(evaluateAffected(both, '2.0.0', semverScheme, ctx).fixed, ['3.0.0', '2.5.0']);
  assert.deepEqual(evaluateAffected(both, '2.0.0', semverScheme, ctx).matchedRanges, ['>=0, <3.0.0', '>=1.0.0, <2.5.0']);
  // A range with no fix above (last_affected) reports none.
  assert.deepEqual(evaluateAffected(entry([semver({ introduced: '0' }, { last_affected: '2.0.0' })]), '2.0.0', semverScheme, ctx).fixed, []);
});

test('events are walked in version order; equal versions keep the order the record gives', () => {
  // Written high to low; sorted, the walk opens at 1.0.0 and closes at 2.0.0.
  const shuffled = entry([semver({ fixed: '2.0.0' }, { introduced: '1.0.0' }, { introduced: '0' })]);
  assert.deepEqual(evaluateAffected(shuffled, '1.5.0', semverScheme, ctx).trace.filter((t) => t.kind === 'event').map((t) => t.eventVersion), ['0', '1.0.0', '2.0.0']);
  assert.equal(evaluateAffected(shuffled, '2.0.0', semverScheme, ctx).affected, false);
  // Maven '1.0' and '1.0.0' are equal: the record's order of the two decides, as written.
  const openClose = entry([{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.0.0' }] }]);
  const closeOpen = entry([{ type: 'ECOSYSTEM', events: [{ fixed: '1.0.0' }, { introduced: '1.0' }] }]);
  assert.equal(evaluateAffected(openClose, '1', mavenScheme, ctx).affected, false);
  assert.equal(evaluateAffected(closeOpen, '1', mavenScheme, ctx).affected, true);
  assert.deepEqual(evaluateAffected(closeOpen, '1', mavenScheme, ctx).matchedRanges, ['<1.0.0, >=1.0']);
  // Two 'introduced: "0"' events stay in their order, ahead of every other.
  const zeros = entry([semver({ fixed: '1.0.0' }, { introduced: '0' }, { introduced: '0' })]);
  assert.deepEqual(evaluateAffected(zeros, '0.1.0', semverScheme, ctx).matchedRanges, ['>=0, >=0, <1.0.0']);
});

test('GIT and unknown range types are noted and skipped; the versions list is not read when a range matched', () => {
  const e: Affected = {
    package: { ecosystem: 'npm', name: 'p' },
    ranges: [{ type: 'GIT', repo: 'https://example.org/r', events: [{ introduced: 'abc' }] }, { type: 'SOMETHING-NEW-AND-VERY-LONG' as 'GIT', events: [] }, semver({ introduced: '0' })],
    versions: ['1.0.0'],
  };
  const r = evaluateAffected(e, '1.0.0', semverScheme, ctx);
  assert.deepEqual(
    r.trace.filter((t) => t.kind === 'ignored').map((t) => [t.rangeIndex, t.rangeType, t.note]),
    [
      [0, 'GIT', 'GIT and unknown range types name commits, not versions'],
      [1, 'SOMETHING-NEW-AND-VE', 'GIT and unknown range types name commits, not versions'],
    ],
  );
  assert.equal(r.viaVersions, false);
  assert.deepEqual(r.matchedRanges, ['>=0']);
  assert.equal(r.trace.at(-1)?.note, 'versions list (1 entries) not needed: a range includes 1.0.0');
  const unknownOnly = evaluateAffected({ ...e, ranges: [{ type: undefined as unknown as 'GIT', events: [] }], versions: [] }, '1.0.0', semverScheme, ctx);
  assert.equal(unknownOnly.affected, false);
  assert.equal(unknownOnly.trace[0].rangeType, 'undefined');
});

test('the versions list: entries that are not strings or cannot be ordered are counted, the rest still match', () => {
  const versions = [42, '%%', 'v1..2', '1.0.1', '1.0.0'] as unknown as string[];
  const r = evaluateAffected(entry([], versions), '1.0.0', semverScheme, ctx);
  assert.equal(r.affected, true);
  assert.equal(r.viaVersions, true);
  assert.deepEqual(r.matchedRanges, ['=1.0.0']);
  const t = r.trace.find((x) => x.kind === 'versions');
  assert.deepEqual([t?.comparison, t?.eventVersion, t?.note], [0, '1.0.0', 'listed in versions (5 entries) as 1.0.0']);
  const miss = evaluateAffected(entry([], versions), '2.0.0', semverScheme, ctx);
  assert.equal(miss.affected, false);
  const m = miss.trace.find((x) => x.kind === 'versions');
  assert.deepEqual([m?.comparison, m?.eventVersion, m?.note], [undefined, undefined, 'not among 5 listed versions (3 unreadable)']);
  assert.equal(evaluateAffected(entry([], ['1.0.0']), '2.0.0', semverScheme, ctx).trace[0].note, 'not among 1 listed versions');
  // A listed version equal under the scheme but not as text: the listed text is reported.
  const maven = evaluateAffected(entry([], ['1.0.0']), '1', mavenScheme, ctx);
  assert.deepEqual(maven.matchedRanges, ['=1.0.0']);
  // A range that does not include it, then the list: the list's match is reported alone.
  const both = evaluateAffected(entry([semver({ introduced: '5.0.0' })], ['1.0.0']), '1.0.0', semverScheme, ctx);
  assert.deepEqual([both.affected, both.viaVersions, both.matchedRanges], [true, true, ['=1.0.0']]);
});

test('remembered comparisons: filled with the installed version\'s answers, used when present, failures not kept', () => {
  const e = entry([semver({ introduced: '1.0.0' }, { fixed: '2.0.0' })], ['3.0.0', 'bad version']);
  const comparisons = new Map<string, number>();
  const r = evaluateAffected(e, '3.0.0', semverScheme, ctx, { comparisons });
  assert.equal(r.affected, true);
  // The range's two events; the listed '3.0.0' is the installed text, so it was not compared,
  // and 'bad version' after it was never reached.
  assert.deepEqual([...comparisons], [['1.0.0', 1], ['2.0.0', 1]]);
  // Against 2.5.0 the list is compared, and the failure is not kept.
  const again = new Map<string, number>();
  const miss = evaluateAffected(entry([], ['bad version', '2.0.0']), '2.5.0', semverScheme, ctx, { comparisons: again });
  assert.equal(miss.affected, false);
  assert.deepEqual([...again], [['2.0.0', 1]]);
  // A remembered answer is used as it is: the memo is per installed version and trusted.
  const seeded = new Map([['2.0.0', -1]]);
  assert.equal(evaluateAffected(entry([semver({ introduced: '1.0.0' }, { fixed: '2.0.0' })]), '3.0.0', semverScheme, ctx, { comparisons: seeded }).affected, true);
});

test('a lazy trace is written when first read, equals the eager one, and can be replaced', () => {
  const e = entry([semver({ introduced: '0' }, { fixed: '2.0.0' }), { type: 'GIT', events: [] }], ['9.9.9']);
  for (const v of ['1.0.0', '2.0.0', '9.9.9']) {
    const eager = evaluateAffected(e, v, semverScheme, ctx);
    const lazy = evaluateAffected(e, v, semverScheme, ctx, { trace: 'lazy', comparisons: new Map() });
    assert.deepEqual([lazy.affected, lazy.fixed, lazy.matchedRanges, lazy.viaVersions, lazy.skipped], [eager.affected, eager.fixed, eager.matchedRanges, eager.viaVersions, eager.skipped]);
    assert.deepEqual(lazy.trace, eager.trace);
    assert.equal(lazy.trace, lazy.trace, 'written once');
    lazy.trace = [];
    assert.deepEqual(lazy.trace, []);
  }
  const skipped = evaluateAffected(entry([semver({ fixed: 'v%%' })]), '1.0.0', semverScheme, ctx, { trace: 'lazy' });
  assert.equal(skipped.skipped?.reason, 'invalid-version');
  assert.deepEqual(skipped.trace, evaluateAffected(entry([semver({ fixed: 'v%%' })]), '1.0.0', semverScheme, ctx).trace);
  assert.equal(Object.hasOwn(evaluateAffected(e, '1.0.0', semverScheme, ctx, { trace: 'lazy' }), 'skipped'), false);
});

test('describeRange writes each event kind as a bound', () => {
  assert.equal(
    describeRange([
      { kind: 'introduced', version: '1' },
      { kind: 'fixed', version: '2' },
      { kind: 'last_affected', version: '3' },
      { kind: 'limit', version: '4' },
    ]),
    '>=1, <2, <=3, <4 (limit)',
  );
  assert.equal(describeRange([]), '');
});
