/**
 * A version a scheme refuses is reported by the matcher as a warning with the error's message,
 * so the message must say which scheme refused which string, and stay short when an image
 * carries a hostile, megabyte-long "version".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { golangScheme, mavenScheme, nugetScheme, pep440Scheme, semverScheme, type VersionScheme } from '../../src/versions/index.js';
import { ScoutError } from '../../src/util/errors.js';

function refusal(scheme: VersionScheme, v: string, other: string): ScoutError {
  try {
    scheme.compare(v, other);
  } catch (err) {
    assert.ok(err instanceof ScoutError, String(err));
    assert.equal(err.code, 'invalid-version');
    return err;
  }
  assert.fail(`${scheme.name} ordered ${JSON.stringify(v.slice(0, 40))}`);
}

const cases: [VersionScheme, string, string, string][] = [
  [semverScheme, 'latest', '1.0.0', 'not a SemVer version: "latest"'],
  [pep440Scheme, '1.0-foo-bar', '1.0', 'not a PEP 440 version: "1.0-foo-bar"'],
  [golangScheme, 'v1.2-pre', 'v1.0.0', 'not a Go version: "v1.2-pre"'],
  [nugetScheme, '1.0.0-', '1.0', 'not a NuGet version: "1.0.0-"'],
];

test('a refused version is named, with its scheme, in the error message; either side may be the bad one', () => {
  for (const [scheme, bad, good, message] of cases) {
    assert.equal(refusal(scheme, bad, good).message, message);
    assert.equal(refusal(scheme, good, bad).message, message, `${scheme.name}: the second argument`);
  }
});

test('the message quotes at most 100 characters of a hostile version', () => {
  const hostile = 'x'.repeat(1_000_000);
  for (const [scheme, , good, message] of cases) {
    const m = refusal(scheme, hostile, good).message;
    assert.equal(m, message.replace(/".*"/, `"${'x'.repeat(100)}"`), scheme.name);
  }
  const maven = refusal(mavenScheme, '1.' + '2'.repeat(300), '1').message;
  assert.equal(maven, `Maven version longer than 256 characters: 1.${'2'.repeat(30)}...`);
});
