/**
 * Alpine apk versions, ordered as apk-tools 3 does (src/version.c). Written here, no library.
 *
 * Grammar (Gentoo-like): `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`.
 * Rules worth knowing:
 * - Tokens are compared in order while both sides have the same token kind.
 * - The first number and `-rN` revisions compare numerically. Later '.'-numbers compare
 *   numerically too, unless either starts with '0': then they compare as strings, as Gentoo
 *   does ('1.01' < '1.1', '1.001' < '1.01').
 * - One lower-case letter may follow the numbers ('1.0b' > '1.0a' > '1.0').
 * - Suffixes: _alpha < _beta < _pre < _rc < (no suffix) < _cvs < _svn < _git < _hg < _p.
 * - `~hash` (commit hash, hex) compares as a string.
 * - When one side runs out (or hits an invalid token) first: the other side is newer, except
 *   that a pre-release suffix (_alpha.._rc) makes it older. Kinds later in the grammar lose to
 *   kinds earlier in it: '1.0-r1' < '1.0.1', and an invalid tail ('1.0bc') sorts after the end.
 * Any string is ordered: when either side is malformed, see compareLenient() below.
 */
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';

// Token kinds in grammar order; the numeric order matters for the "one side ended" rule.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Suffix values: pre-release ones are below NONE.
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;

interface Token {
  kind: number;
  /** digits, letter or hash text */
  value: string;
  suffix: number;
}

class Tokenizer {
  private pos = 0;
  token: Token = { kind: INITIAL_DIGIT, value: '', suffix: 0 };

  constructor(private readonly s: string) {
    const digits = this.span(/[0-9]/);
    this.token = digits === '' ? { kind: INVALID, value: '', suffix: 0 } : { kind: INITIAL_DIGIT, value: digits, suffix: 0 };
  }

  private span(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.s.length && re.test(this.s[this.pos])) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private invalid(): void {
    this.token = { kind: INVALID, value: '', suffix: 0 };
  }

  next(): void {
    const prev = this.token.kind;
    if (this.pos >= this.s.length) {
      this.token = { kind: END, value: '', suffix: 0 };
      return;
    }
    const c = this.s[this.pos];
    if (c >= 'a' && c <= 'z') {
      if (prev > DIGIT) return this.invalid();
      this.pos++;
      this.token = { kind: LETTER, value: c, suffix: 0 };
    } else if (c === '.') {
      if (prev > DIGIT) return this.invalid();
      this.pos++;
      const digits = this.span(/[0-9]/);
      if (digits === '') return this.invalid();
      this.token = { kind: DIGIT, value: digits, suffix: 0 };
    } else if (c === '_') {
      if (prev > SUFFIX_NO) return this.invalid();
      this.pos++;
      const word = this.span(/[a-z]/);
      const suffix = SUFFIXES[word];
      if (suffix === undefined || !Object.hasOwn(SUFFIXES, word)) return this.invalid();
      this.token = { kind: SUFFIX, value: word, suffix };
    } else if (c >= '0' && c <= '9') {
      // Only a suffix may be directly followed by its number.
      if (prev !== SUFFIX) return this.invalid();
      this.token = { kind: SUFFIX_NO, value: this.span(/[0-9]/), suffix: 0 };
    } else if (c === '~') {
      if (prev >= COMMIT_HASH) return this.invalid();
      this.pos++;
      const hash = this.span(/[0-9a-f]/);
      if (hash === '') return this.invalid();
      this.token = { kind: COMMIT_HASH, value: hash, suffix: 0 };
    } else if (c === '-') {
      if (prev >= REVISION_NO || this.s[this.pos + 1] !== 'r') return this.invalid();
      this.pos += 2;
      const digits = this.span(/[0-9]/);
      if (digits === '') return this.invalid();
      this.token = { kind: REVISION_NO, value: digits, suffix: 0 };
    } else {
      this.invalid();
    }
  }
}

function compareTokens(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      // Gentoo: a component with a leading zero compares as a string.
      if (a.value[0] === '0' || b.value[0] === '0') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return compareDigitStrings(a.value, b.value);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareDigitStrings(a.value, b.value);
    case SUFFIX:
      return a.suffix - b.suffix;
    default:
      return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
}

/** apk-tools' token walk; exact for two valid versions. */
function compareValid(a: string, b: string): number {
  const ta = new Tokenizer(a);
  const tb = new Tokenizer(b);
  while (ta.token.kind === tb.token.kind && ta.token.kind < END) {
    const c = compareTokens(ta.token, tb.token);
    if (c !== 0) return c < 0 ? -1 : 1;
    ta.next();
    tb.next();
  }
  const ka = ta.token.kind;
  const kb = tb.token.kind;
  if (ka === kb) return 0;
  // One side continues where the other stopped: a pre-release suffix makes it older.
  if (ka === SUFFIX && ta.token.suffix < SUFFIX_NONE) return -1;
  if (kb === SUFFIX && tb.token.suffix < SUFFIX_NONE) return 1;
  // Otherwise the kind that comes earlier in the grammar is the newer version.
  return ka > kb ? -1 : 1;
}

export function isValidApk(v: string): boolean {
  const t = new Tokenizer(v);
  while (t.token.kind !== END && t.token.kind !== INVALID) t.next();
  return t.token.kind === END;
}

export const apkScheme: VersionScheme = {
  name: 'apk',
  isValid: isValidApk,
  compare: compareApk,
};

/**
 * A malformed version read as far as its parts can be recognised, the way osv-scalibr reads Alpine
 * versions: numbers, letter (+ number, as in '6.0.3p1-r3', which real Alpine data has), suffixes,
 * hash, '-r' revision, and whatever is left.
 */
interface LenientApkVersion {
  /** '.'-separated numbers; '' for an empty one ('1..2'). */
  components: string[];
  letter: string;
  letterNumber: string;
  suffixes: { weight: number; number: string }[];
  revision: string;
  rest: string;
}

function parseLenient(v: string): LenientApkVersion {
  let s = v;
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(s);
    if (m) s = s.slice(m[0].length);
    return m;
  };
  const components: string[] = [];
  const first = take(/^\d+/);
  if (first) {
    components.push(first[0]);
    for (let m = take(/^\.(\d*)/); m; m = take(/^\.(\d*)/)) components.push(m[1]);
  }
  const letter = take(/^[a-z]/)?.[0] ?? '';
  const letterNumber = letter ? (take(/^\d+/)?.[0] ?? '') : '';
  const suffixes: LenientApkVersion['suffixes'] = [];
  for (let m = take(/^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/); m; m = take(/^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/)) {
    suffixes.push({ weight: SUFFIXES[m[1]], number: m[2] || '0' });
  }
  take(/^~[0-9a-f]+/);
  const revision = take(/^-r(\d*)/)?.[1] || '0';
  return { components, letter, letterNumber, suffixes, revision, rest: s };
}

function compareComponent(a: string, b: string, index: number): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  if (index > 0 && (a[0] === '0' || b[0] === '0')) return a < b ? -1 : a > b ? 1 : 0;
  return compareDigitStrings(a, b);
}

/**
 * Order when at least one side is not a valid apk version (apk-tools itself gives such input an
 * arbitrary order). Part by part, like osv-scalibr: numbers (an extra number is newer, an extra
 * empty one older), then letter (none < any), its number, suffixes (missing = no suffix), the
 * revision (missing = 0), and finally leftover text makes a version older. Strings that do not
 * even start with a number compare as plain strings.
 */
function compareLenient(a: string, b: string): number {
  const x = parseLenient(a);
  const y = parseLenient(b);
  if (x.components.length === 0 && y.components.length === 0) return a < b ? -1 : a > b ? 1 : 0;
  const n = Math.max(x.components.length, y.components.length);
  for (let i = 0; i < n; i++) {
    const ca = x.components[i];
    const cb = y.components[i];
    if (ca === undefined) return cb === '' ? 1 : -1;
    if (cb === undefined) return ca === '' ? -1 : 1;
    const c = compareComponent(ca, cb, i);
    if (c !== 0) return c;
  }
  if (x.letter !== y.letter) return x.letter === '' ? -1 : y.letter === '' ? 1 : x.letter < y.letter ? -1 : 1;
  const ln = compareDigitStrings(x.letterNumber || '0', y.letterNumber || '0');
  if (ln !== 0) return ln;
  const none = { weight: SUFFIX_NONE, number: '0' };
  for (let i = 0; i < Math.max(x.suffixes.length, y.suffixes.length); i++) {
    const sa = x.suffixes[i] ?? none;
    const sb = y.suffixes[i] ?? none;
    if (sa.weight !== sb.weight) return sa.weight < sb.weight ? -1 : 1;
    const c = compareDigitStrings(sa.number, sb.number);
    if (c !== 0) return c;
  }
  const r = compareDigitStrings(x.revision, y.revision);
  if (r !== 0) return r;
  if ((x.rest === '') !== (y.rest === '')) return x.rest === '' ? 1 : -1;
  return 0;
}

export function compareApk(a: string, b: string): number {
  return isValidApk(a) && isValidApk(b) ? compareValid(a, b) : compareLenient(a, b);
}
