/**
 * apk-tools' version grammar at its edges, and the order of malformed versions. The validity
 * lines of apk-tools' version.data (apk.test.ts) hold few valid versions; real Alpine packages
 * and the grammar's edges (each letter and digit at the end of its range, a suffix word that
 * is an Object property, characters the grammar has no place for) decide whether a version is
 * read by apk-tools' rules or by the lenient reading of malformed ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRows, opOf, seededRandom } from './conformance.js';
import { apkScheme } from '../../src/versions/apk.js';

/** The versions (V: lines) of every installed-package database in the apk cataloger fixtures. */
function alpineVersions(): string[] {
  const root = fileURLToPath(new URL('../fixtures/catalogers/apk/', import.meta.url));
  const dbs = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('lib/apk/db/installed'));
  const lines = dbs.flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n'));
  return [...new Set(lines.filter((l) => l.startsWith('V:')).map((l) => l.slice(2)))];
}

test('apk: the versions of real Alpine packages are valid', () => {
  const versions = alpineVersions();
  // '1.0.2h-r1' (a letter after a later number), '2.9.11_pre20061021-r2', '1.2.4_git20230717-r4'
  assert.ok(versions.length >= 10 && versions.includes('1.0.2h-r1'), versions.join(' '));
  assert.deepEqual(versions.filter((v) => !apkScheme.isValid(v)), []);
});

test("apk: isValid at the edges of apk-tools' grammar", () => {
  // The first and last letter, a letter straight after the first number, suffix numbers
  // starting with the first and last digit, every suffix word.
  const valid = ['1.0a', '1.0z', '1a', '1_p0', '1_rc9', '1.0_beta0-r0', '1_alpha_beta_pre_rc_cvs_svn_git_hg_p', '1~0af-r9'];
  assert.deepEqual(valid.filter((v) => !apkScheme.isValid(v)), []);
  // A '.' with no number, a suffix word that only an Object has ('constructor', 'toString'),
  // a second hash, '-' not followed by 'r', a character the grammar has no place for.
  const invalid = ['1.', '1..2', '1.0_constructor', '1_toString1', '1~ab~cd', '1.0-R1', '1.0-p1', '1+r1', '1.0-r1a'];
  assert.deepEqual(invalid.filter((v) => apkScheme.isValid(v)), []);
});

test('apk: a malformed tail leaves the order of the valid parts as apk-tools has it', () => {
  // Each pair of apk.tsv whose sides are both valid, with the same malformed tail added to both:
  // the lenient reading (osv-scalibr's) must order the parts it recognises as apk-tools does.
  // The one exception is the commit hash, which the lenient reading skips.
  const rows = loadRows('apk.tsv').filter((r) => apkScheme.isValid(r.a) && apkScheme.isValid(r.b));
  assert.ok(rows.length > 1000, `${rows.length} rows`);
  for (const tail of ['!', ' ', '-', '_x', '.x.', '~']) {
    const differ = rows.filter((r) => opOf(apkScheme.compare(r.a + tail, r.b + tail)) !== r.op);
    const hashOnly = differ.filter((r) => !(r.a.includes('~') && r.b.includes('~')));
    if (tail === '.x.') {
      // '1.1.x.' reads as numbers 1, 1 and an empty one, which makes it older than '1.1_alpha1'.
      assert.ok(hashOnly.every((r) => /_(alpha|beta|pre|rc)/.test(r.a + r.b)), JSON.stringify(hashOnly.slice(0, 5)));
    } else {
      assert.deepEqual(hashOnly.map((r) => `${r.a} ${r.op} ${r.b}`), [], JSON.stringify(tail));
    }
  }
});

test('apk: on 3,000 generated pairs, a malformed tail leaves the order apk-tools gives the valid versions', () => {
  // Leading zeros, letters, several suffixes with and without numbers, revisions. Two readings
  // of osv-scalibr's differ from apk-tools' and are kept out: a missing revision counts as -r0
  // there (every Alpine package version has one, so the versions here do too), and a suffix
  // without a number counts as number 0 even when another suffix follows (so only the last one
  // goes without).
  const random = seededRandom(440);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const version = (): string => {
    let v = pick(['0', '1', '01', '2', '10', '001']);
    for (let n = Math.floor(random() * 4); n > 0; n--) v += '.' + pick(['0', '1', '01', '00', '2', '10', '010']);
    if (random() < 0.3) v += pick(['a', 'b', 'z']);
    for (let n = Math.floor(random() * 3); n > 0; n--) v += '_' + pick(['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p']) + pick(n === 1 ? ['', '0', '1', '2', '01', '10'] : ['0', '1', '2', '01', '10']);
    return v + '-r' + pick(['0', '1', '2', '10', '01']);
  };
  // A third of the pairs differ only in the revision, or not at all.
  const pairs = Array.from({ length: 3000 }, () => {
    const a = version();
    return [a, random() < 0.33 ? a.replace(/-r\d+$/, '-r' + pick(['0', '1', '01'])) : version()];
  });
  assert.deepEqual(pairs.filter(([a, b]) => !apkScheme.isValid(a) || !apkScheme.isValid(b)), []);
  const differ = pairs.filter(([a, b]) => apkScheme.compare(a + '!', b + '!') !== apkScheme.compare(a, b));
  assert.deepEqual(differ, []);
  assert.ok(pairs.filter(([a, b]) => apkScheme.compare(a, b) === 0).length >= 200, 'equal pairs too');
});

test('apk: what only malformed versions have, read part by part as osv-scalibr does', () => {
  // No leading number: older than any version with one; two such strings compare as text.
  assert.equal(apkScheme.compare('v1.2', '1.2'), -1);
  assert.equal(apkScheme.compare('x', '1'), -1);
  assert.equal(apkScheme.compare('x', 'y'), -1);
  // An empty number ('1..2', a trailing '.') is older than any number, even 0.
  assert.equal(apkScheme.compare('1..2', '1.0.2'), -1);
  assert.equal(apkScheme.compare('1.2.', '1.2'), -1);
  assert.equal(apkScheme.compare('1.2.', '1.2.'), 0);
  // A letter with a number ('6.0.3p1-r3', as real Alpine data has): the number counts after the letter.
  assert.equal(apkScheme.compare('6.0.3p1-r3', '6.0.3p2-r0'), -1);
  assert.equal(apkScheme.compare('6.0.3p10-r0', '6.0.3p9-r0'), 1);
  assert.equal(apkScheme.compare('6.0.3p1-r3', '6.0.3q-r0'), -1);
});
