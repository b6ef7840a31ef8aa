/**
 * Composer versions at the edges composer.tsv does not reach, each rule from PHP's
 * version_compare() documentation: a word not in the special-forms list sorts before 'dev'
 * ('foo' < 'dev' < 'alpha'); '-', '_' and '+' are all '.'; only a leading 'v' is Composer's
 * prefix (a 'v' inside a word is part of it: 'dev' stays 'dev'); isValid wants a digit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerScheme } from '../../src/versions/composer.js';

test('composer: an unknown word sorts before dev, which sorts before alpha', () => {
  assert.equal(composerScheme.compare('1.0-foo', '1.0-dev'), -1);
  assert.equal(composerScheme.compare('1.0-dev', '1.0-foo'), 1);
  assert.equal(composerScheme.compare('1.0-foo', '1.0-alpha'), -1);
  assert.equal(composerScheme.compare('1.0-dev', '1.0-alpha'), -1);
});

test("composer: '-', '_' and '+' separate parts like '.', and a leading v (only) is dropped", () => {
  for (const v of ['1.0-1', '1.0_1', '1.0+1', 'v1.0.1', 'V1.0.1', ' 1.0.1\n']) assert.equal(composerScheme.compare(v, '1.0.1'), 0, v);
  assert.equal(composerScheme.compare('1.0-1', '1.0.01'), 0);
  assert.equal(composerScheme.compare('1.0-1', '1.0.2'), -1);
});

test('composer: isValid wants at least one digit', () => {
  assert.deepEqual(['1', '1.0-dev', 'v2.3.4', 'dev-main2'].filter((v) => !composerScheme.isValid(v)), []);
  assert.deepEqual(['dev-main', '', 'latest'].filter((v) => composerScheme.isValid(v)), []);
});
