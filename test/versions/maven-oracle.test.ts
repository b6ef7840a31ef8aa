/**
 * Maven order against Maven itself: test/fixtures/versions/maven-oracle.tsv holds generated pairs
 * with the order Maven's ComparableVersion gives, compiled from Maven's source at master 540897d
 * and on the maven-3.9.x branch; only pairs both give the same order are kept. Most are versions
 * as published (numbers of int, long and BigInteger size, leading zeros, known, aliased, release
 * and unknown qualifiers in mixed case, every separator) and their near neighbours (upper-cased,
 * '.0' or '-ga' added, 'cr' for 'rc', '.' for '-'); the rest are short strings of any shape
 * (leading, doubled and trailing separators, '+'). scripts/maven-oracle/generate.mjs writes it
 * and says which shapes of version it leaves out and why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { mavenScheme } from '../../src/versions/maven.js';

test('maven: 5,945 generated pairs are ordered as Maven (master and 3.9) orders them', () => {
  const rows = loadRows('maven-oracle.tsv');
  assert.equal(rows.length, 5945);
  // Enough of each answer and each shape that a rule cannot go untested.
  const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
  assert.ok(count((r) => r.op === '=') > 1000 && count((r) => r.op === '<') > 1000 && count((r) => r.op === '>') > 1000);
  assert.ok(count((r) => /[A-Z]/.test(r.a + r.b)) > 500 && count((r) => /\d{19}/.test(r.a + r.b)) > 500 && count((r) => /(ga|final|release)/i.test(r.a + r.b)) > 500);
  assert.ok(count((r) => /^[.-]|[.-]$/.test(r.a) || /^[.-]|[.-]$/.test(r.b)) > 500 && count((r) => (r.a + r.b).includes('+')) > 300);
  assert.deepEqual(conformanceFailures(rows, mavenScheme.compare), []);
});

test('maven: a sub-list sorts after a qualifier at the same place, whatever the list holds', () => {
  // ComparableVersion.ListItem.compareTo(StringItem) is 1 in both Maven lines ('1-1 > 1-sp'):
  // what the list holds does not matter, and a list holding one qualifier stays a list. Rows of
  // the fixture (Maven's answers) that comparing the list's first item with the qualifier, or
  // unwrapping a one-item list, got wrong.
  const pairs: [string, string, number][] = [
    ['2-alpha.rc', '2.alpha.rc', 1], // [2, [alpha, [rc]]] > [2, alpha, [rc]]
    ['9.M', '9.M-FINAL', 1], // [9, [m]] > [9, m, [final]]
    ['1.2.9.a', '1.2.9.a.0', 1], // [1, 2, 9, [a]] > [1, 2, 9, a]
    ['2.1-jre.Final', '2.1.jre.Final', 1], // [2, 1, [jre, [final]]] > [2, 1, jre, [final]]
  ];
  for (const [a, b, want] of pairs) {
    assert.equal(mavenScheme.compare(a, b), want, `${a} against ${b}`);
    assert.equal(mavenScheme.compare(b, a), -want, `${b} against ${a}`);
  }
});
