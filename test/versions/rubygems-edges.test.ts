/**
 * RubyGems versions at the edges rubygems.tsv does not reach, each rule from Gem::Version
 * (rubygems/version.rb): multi-digit numbers and segments are valid; leading zeros do not
 * count ('1.01' is 1.1) but a segment of zeros is zero ('1.00' = '1'); a letter run is one
 * segment ('beta' > 'b'); a blank version is '0'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rubygemsScheme } from '../../src/versions/rubygems.js';

test('rubygems: multi-digit numbers and segments are valid', () => {
  assert.deepEqual(['10.0', '1.10', '1.0-rc.10', '12.34.56', '1.0-beta10.2'].filter((v) => !rubygemsScheme.isValid(v)), []);
});

test('rubygems: zeros, letter runs and blank versions', () => {
  assert.equal(rubygemsScheme.compare('1.01', '1'), 1);
  assert.equal(rubygemsScheme.compare('1.01', '1.1'), 0);
  assert.equal(rubygemsScheme.compare('1.00', '1'), 0);
  // Zeros before the first letter run are dropped too: '1.00.a' is '1.a'.
  assert.equal(rubygemsScheme.compare('1.00.a', '1.a'), 0);
  assert.equal(rubygemsScheme.compare('1.0.beta', '1.0.b'), 1);
  assert.equal(rubygemsScheme.compare('', '0'), 0);
  assert.equal(rubygemsScheme.compare(' ', '0.a'), 1);
  // Outside Gem::Version's grammar, read by the same segment rules: no digits or letters at all
  // is version 0, and a letter-only version is a pre-release of 0.
  assert.equal(rubygemsScheme.compare('.', '0'), 0);
  assert.equal(rubygemsScheme.compare('a', '0'), -1);
});
