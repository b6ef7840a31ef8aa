/**
 * Maven versions, ordered as Maven's ComparableVersion (maven-artifact as of the master commit the
 * conformance rows come from, 540897d: the 3.9 parser with the MNG-7714 qualifier fixes — 'ga',
 * 'final' and 'release' are kept as items equal to the release, and a zero is dropped before a
 * qualifier — and ASCII-only digits). Written here, no library.
 *
 * Rules worth knowing (https://maven.apache.org/pom.html#version-order-specification):
 * - The string is lower-cased and cut at '.', at '-', and at every letter/digit transition;
 *   '-' (and a letter→digit transition) opens a nested sub-list, so '1-1' is [1, [1]].
 * - Trailing "null" items are dropped: 0, '', and the release qualifiers 'ga', 'final',
 *   'release', so '1.0.0' = '1' = '1-ga' = '1.final'.
 * - Known qualifiers order alpha < beta < milestone < rc = cr < snapshot < (release) < sp;
 *   'a1', 'b1', 'm1' (a single letter followed by a number) mean alpha-1, beta-1, milestone-1.
 *   Unknown qualifiers sort after all known ones, among themselves lexically: '1-sp' < '1-foo'.
 * - A number beats any qualifier at the same position: '1.0.1' > '1.0-sp' > '1.0'.
 * - A sub-list beats a qualifier at the same position, whatever it holds: '9.m' ([9, [m]]) >
 *   '9.m-final' ([9, m, [final]]), and a list of one qualifier stays a list.
 * - A letter/digit transition acts like '-': '1.0rc1' is [1, [rc, [1]]], and '1-rc1' < '1-rc2' < '1'.
 * - Only ASCII 0-9 are digits: '٨' (Arabic-Indic eight) is a qualifier, so '1' > '٨'.
 * - Like Maven, strings longer than 256 characters are refused (ScoutError 'invalid-version'):
 *   each '-' nests a list, and unbounded nesting would mean unbounded recursion.
 */
import { ScoutError } from '../util/errors.js';
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';
import { memoizeParse } from '../util/memo.js';

const MAX_VERSION_LENGTH = 256;

type Item = NumberItem | StringItem | ListItem;

interface NumberItem {
  kind: 'number';
  /** ASCII digits without leading zeros ('0' for zero) */
  digits: string;
}

interface StringItem {
  kind: 'string';
  value: string;
}

interface ListItem {
  kind: 'list';
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = new Set(['ga', 'final', 'release']);
const RELEASE_VERSION_INDEX = String(QUALIFIERS.indexOf(''));

function numberItem(buf: string): NumberItem {
  const digits = buf.replace(/^0+/, '');
  return { kind: 'number', digits: digits === '' ? '0' : digits };
}

function stringItem(value: string, followedByDigit: boolean): StringItem {
  let v = value;
  if (followedByDigit && v.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { kind: 'string', value: v === 'cr' ? 'rc' : v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  if (isDigit) return numberItem(buf);
  return stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'number':
      return item.digits === '0';
    case 'string':
      return item.value === '';
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: ListItem): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    if (!isNull(items[i])) continue;
    const next = items[i + 1];
    if (next === undefined || next.kind === 'string') items.splice(i, 1);
    else if (next.kind === 'list') {
      const head = next.items[0];
      if (head !== undefined && head.kind === 'string') items.splice(i, 1);
    }
  }
}

/** ComparableVersion.parseVersion(), step for step. */
function parseUncached(version: string): ListItem {
  if (version.length > MAX_VERSION_LENGTH) {
    throw new ScoutError('invalid-version', `Maven version longer than ${MAX_VERSION_LENGTH} characters: ${version.slice(0, 32)}...`);
  }
  const v = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const openList = (): void => {
    const sub: ListItem = { kind: 'list', items: [] };
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  const ZERO: NumberItem = { kind: 'number', digits: '0' };

  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '.') {
      list.items.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.items.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      openList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X
        if (list.items.length > 0) openList();
        list.items.push(stringItem(v.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, v.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X
    if (!isDigit && list.items.length > 0) openList();
    list.items.push(parseItem(isDigit, v.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as ListItem);
  return root;
}

function comparableQualifier(q: string): string {
  if (RELEASE_QUALIFIERS.has(q)) return RELEASE_VERSION_INDEX;
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

/** Java String.compareTo sign (UTF-16 code unit order, as JS string comparison). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Item.compareTo(other); `undefined` plays Java's null (the shorter side of a list). */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'number':
      if (b === undefined) return a.digits === '0' ? 0 : 1; // 1.0 == 1, 1.1 > 1
      if (b.kind === 'number') return compareDigitStrings(a.digits, b.digits);
      return 1; // 1.1 > 1-sp, 1.1 > 1-1
    case 'string':
      if (b === undefined) return compareStrings(comparableQualifier(a.value), RELEASE_VERSION_INDEX); // 1-rc < 1, 1-sp > 1
      switch (b.kind) {
        case 'number':
          return -1;
        case 'string':
          return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
        case 'list':
          return -compareItem(b, a);
      }
      break;
    case 'list':
      if (b === undefined) {
        // the whole list against null, not just its head (MNG-6964)
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      switch (b.kind) {
        case 'number':
          return -1; // 1-1 < 1.0.x
        case 'string':
          return 1; // 1-1 > 1-sp
        case 'list': {
          const n = Math.max(a.items.length, b.items.length);
          for (let i = 0; i < n; i++) {
            const l = a.items[i];
            const r = b.items[i];
            const c = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
            if (c !== 0) return c;
          }
          return 0;
        }
      }
  }
  return 0;
}

const parse = memoizeParse(parseUncached);

export function compareMaven(a: string, b: string): number {
  const c = compareItem(parse(a), parse(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

export const mavenScheme: VersionScheme = {
  name: 'maven',
  // ComparableVersion reads any string; only the length cap makes it refuse one.
  isValid: (v) => v.length <= MAX_VERSION_LENGTH,
  compare: compareMaven,
};
