import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAge } from '../../src/report/age.js';

test('ages read in the unit a person would use, never "0.0 days"', () => {
  assert.equal(formatAge(0), '0 s');
  assert.equal(formatAge(42.4), '42 s');
  assert.equal(formatAge(119), '119 s');
  assert.equal(formatAge(120), '2 min');
  assert.equal(formatAge(3 * 3600 - 1), '3 h');
  assert.equal(formatAge(47 * 3600), '47 h');
  assert.equal(formatAge(2 * 86400), '2 days');
  assert.equal(formatAge(9.6 * 86400), '10 days');
});

test('a clock running behind the import is not a negative age; no date at all is unknown', () => {
  assert.equal(formatAge(-30), '0 s');
  assert.equal(formatAge(Number.NaN), 'an unknown time');
});
