import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOsvRecord } from '../../src/advisories/validate.js';

const base = () => ({
  id: 'GHSA-path-0001',
  modified: '2024-01-01T00:00:00Z',
  references: [{ type: 'WEB', url: 'https://example.org' }],
  affected: [
    { package: { ecosystem: 'npm', name: 'ok' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
    { package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }], versions: ['0.9'] },
  ],
});

/** Rejection of `base()` after `change` mutates it: [reason, detail]. */
function reject(change: (r: ReturnType<typeof base> & Record<string, unknown>) => void): [string, string] {
  const r = base() as ReturnType<typeof base> & Record<string, unknown>;
  change(r);
  const v = validateOsvRecord(r, 'test');
  assert.equal(v.ok, false, 'should be rejected');
  return v.ok ? ['', ''] : [v.reason, v.detail];
}

test('a rejection names the exact nested field that is wrong', () => {
  const a = (r: ReturnType<typeof base>) => r.affected[1] as Record<string, unknown>;
  const range = (r: ReturnType<typeof base>) => (a(r).ranges as Record<string, unknown>[])[0];
  assert.deepEqual(reject((r) => { range(r).events = [{ introduced: '0' }, { introduced: '1', fixed: '2' }]; }),
    ['bad-event', 'affected[1].ranges[0].events[1] must have exactly one of introduced, fixed, last_affected, limit']);
  assert.deepEqual(reject((r) => { range(r).events = [{ fixed: '' }]; }), ['bad-event', 'affected[1].ranges[0].events[0].fixed is not a non-empty string']);
  assert.deepEqual(reject((r) => { range(r).events = [{ fixed: 'v'.repeat(300) }]; }), ['too-large', 'affected[1].ranges[0].events[0].fixed is longer than 256 characters']);
  assert.deepEqual(reject((r) => { range(r).events = ['0']; }), ['bad-event', 'affected[1].ranges[0].events[0] is not an object']);
  assert.deepEqual(reject((r) => { range(r).type = 7; }), ['bad-field', 'affected[1].ranges[0].type is not a string']);
  assert.deepEqual(reject((r) => { range(r).repo = 1; }), ['bad-field', 'affected[1].ranges[0].repo is not a string']);
  assert.deepEqual(reject((r) => { range(r).database_specific = []; }), ['bad-field', 'affected[1].ranges[0].database_specific is not an object']);
  assert.deepEqual(reject((r) => { (a(r).package as Record<string, unknown>).name = 3; }), ['bad-field', 'affected[1].package.name is not a string']);
  assert.deepEqual(reject((r) => { (a(r).package as Record<string, unknown>).ecosystem = 'E'.repeat(201); }), ['too-large', 'affected[1].package.ecosystem is longer than 200 characters']);
  assert.deepEqual(reject((r) => { a(r).versions = ['1', 2]; }), ['bad-version', 'affected[1].versions[1] is not a string']);
  assert.deepEqual(reject((r) => { a(r).severity = [{ type: 'CVSS_V3', score: 5 }]; }), ['bad-field', 'affected[1].severity[0].score is not a string']);
  assert.deepEqual(reject((r) => { a(r).ecosystem_specific = JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)); }), ['too-large', 'affected[1].ecosystem_specific is nested deeper than 32']);
  assert.deepEqual(reject((r) => { r.references.push({ type: 'WEB', url: null as unknown as string }); }), ['bad-field', 'references[1].url is not a string']);
  assert.deepEqual(reject((r) => { r.severity = [{ type: 'x'.repeat(33), score: '1' }]; }), ['too-large', 'severity[0].type is longer than 32 characters']);
  assert.deepEqual(reject((r) => { (r as Record<string, unknown>).modified = 5; }), ['bad-field', 'modified is not a string']);
  assert.deepEqual(reject((r) => { r.database_specific = { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) }; }), ['too-large', 'database_specific is nested deeper than 32']);
  // A NUL, which PostgreSQL text cannot hold, in the strings a store writes as text.
  assert.deepEqual(reject((r) => { (a(r).package as Record<string, unknown>).name = 'a\u0000b'; }), ['bad-field', 'affected[1].package.name contains a NUL character']);
  assert.deepEqual(reject((r) => { r.aliases = ['CVE-2024-1', 'CVE-2024-\u00002']; }), ['bad-field', 'aliases[1] contains a NUL character']);
  assert.deepEqual(reject((r) => { r.modified = '2024-01-01\u0000'; }), ['bad-field', 'modified contains a NUL character']);
  assert.deepEqual(reject((r) => { a(r).versions = ['1\u0000']; }), ['bad-version', 'affected[1].versions[0] contains a NUL character']);
});

test('a valid record keeps exactly one key per event and free-form objects as given', () => {
  const r = base();
  (r.affected[0] as Record<string, unknown>).ecosystem_specific = { imports: [{ path: 'a/b', symbols: ['F'] }] };
  const v = validateOsvRecord(r, 'test');
  assert.ok(v.ok);
  assert.deepEqual(v.advisory.affected[1].ranges[0].events, [{ introduced: '0' }, { fixed: '1.0' }]);
  assert.deepEqual(v.advisory.affected[0].ecosystem_specific, { imports: [{ path: 'a/b', symbols: ['F'] }] });
  assert.deepEqual(v.advisory.affected[1].versions, ['0.9']);
  assert.deepEqual(v.notes, []);
});
