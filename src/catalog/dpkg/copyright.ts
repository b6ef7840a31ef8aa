/**
 * Licenses a Debian copyright file states.
 *
 * Machine-readable (DEP-5) files: the "License:" fields, read as DEP-5 license expressions
 * ("GPL-1+ or Artistic, and Expat": "and" binds tighter than "or" unless a comma precedes it; a
 * bare comma joins licenses that all apply; "with <keyword> exception" adds an exception), each
 * becoming one SPDX expression when every short name maps. Stand-alone License paragraphs (no
 * Files field) give the text of licenses the Files paragraphs name, and add only those not named.
 *
 * Free-form files: "License:" lines that hold a name, and the license grants found in the prose
 * (GNU "version N [or any later version]", Apache, MIT/Expat, BSD-2/3-clause, public domain).
 *
 * Both: the common-licenses files the text points at ("/usr/share/common-licenses/GPL-2").
 *
 * Short names go through the shared normaliser; only Debian's own meanings are added here.
 * Names that are not SPDX are kept by name (e.g. "public-domain").
 */
import type { License } from '../../sbom/model.js';
import { dedupeLicenses, exceptionId, normaliseLicense } from '../../sbom/license.js';
import { memoizeParse } from '../../util/memo.js';
import { appendAll } from '../../util/arrays.js';

/** Licenses are stated near the top; a huge copyright file is read only this far. */
const MAX_SCAN = 4 * 1024 * 1024;

/** A "License:" line longer than this, or of more words, is prose, not a name. */
const MAX_NAME_LENGTH = 100;
const MAX_NAME_WORDS = 5;

/**
 * Debian short names whose meaning the shared normaliser does not (and should not) assume.
 * "Artistic" (DEP-5: no version means the lowest, 1.0; its Perl row says "GPL-1+ or Artistic-1")
 * is the text in /usr/share/common-licenses/Artistic: Perl's 10-clause licence ("7. C
 * subroutines ...", "8. Aggregation ..."), which SPDX lists as Artistic-1.0-Perl, not the OSI
 * 9-clause Artistic-1.0 (Debian bug #764753).
 */
const DEBIAN_NAMES = new Map<string, string>([
  ['artistic', 'Artistic-1.0-Perl'],
  ['artistic-1', 'Artistic-1.0-Perl'],
]);

const COMMA = /\s*,\s*/;
const LEADING_OP = /^(and|or)\s+/i;
const OR = /\s+(?:and\/)?or\s+/i; // "and/or": either or both, which OR allows
const AND = /\s+and\s+/i;
const WITH = /^(\S+)\s+with\s+(.+?)(?:\s+exception)?$/i;
const SPACE = /\s/;
const WORDS = /\s+/;
const EXPRESSION_TERMS = /\s+(?:AND|OR|WITH)\s+|[()]/;

// One pass over the file finds fields, common-licenses paths and, in free-form files, the words
// that open (or end) a license grant; each such word is then checked where it stands. `W` is the
// space between words of a wrapped (or " * "-commented) text.
const W = String.raw`[\s*]+`;
const W0 = String.raw`[\s*]*`;
const STRUCTURE = String.raw`\n(License|Files|Format):[ \t]*|/usr/share/common-licenses/([A-Za-z0-9_.+-]+)`;
const SCAN_DEP5 = new RegExp(STRUCTURE, 'gi');
const SCAN_FREE_FORM = new RegExp(String.raw`${STRUCTURE}|\b(GNU|Apache|Permission|MIT|Expat|Redistribution|[Pp]ublic)\b`, 'gi');
const DEP5_HEADER = /^\uFEFF?\s*Format(?:-Specification)?:/i;
const LICENSE_AT_START = /^\uFEFF?License:[ \t]*/i;
const TRAILING_DOTS = /\.+$/;
/** How far back the words before a trigger ("under the GNU ...") are looked for. */
const LOOK_BACK = 64;

/** "under the" / "terms of the" / "is the" just before "GNU ..." or "MIT license". */
const GRANT_BEFORE = new RegExp(String.raw`(?:\bterms${W}of|\bunder|\bis)${W}the${W}$`, 'i');
const GNU_GRANT = new RegExp(
  String.raw`GNU${W}(?:(Lesser|Library|Affero)${W})?General${W}Public${W}Licen[cs]e` +
    String.raw`(?:${W0}\("?[A-Z]*GPL[v0-9.+]*"?\))?` + // "(GPL)", "(LGPL)", ("GPL")
    String.raw`(?:,?${W}as${W}published${W}by${W}the${W}Free${W}Software${W}Foundation)?` +
    String.raw`[;,]?${W}(?:either${W})?\(?(?:version|v\.?)${W0}(\d(?:\.\d)?)` +
    String.raw`(\+|(?:${W}of${W}the${W}Licen[cs]e)?[\s*,;(]*or${W0}[,(]?${W0}(?:\(?at${W}your${W}option\)?,?${W})?(?:any${W})?later)?` +
    // "version 2 or version 3", "version 2.1 or the Mozilla Public License": a choice not read here.
    String.raw`(?!(?:${W}of${W}the${W}Licen[cs]e)?[\s*,;(]*or\b)`,
  'iy',
);
const APACHE = new RegExp(String.raw`Apache${W}License,?${W}(?:Version${W})?([12]\.[01])\b`, 'iy');
const MIT_TEXT = new RegExp(String.raw`Permission${W}is${W}hereby${W}granted,?${W}free${W}of${W}charge,?${W}to${W}any${W}person${W}obtaining${W}a${W}copy`, 'iy');
const MIT_NAME = new RegExp(String.raw`(?:MIT|Expat)${W}licen[cs]e\b`, 'iy');
const BSD_TEXT = new RegExp(String.raw`Redistribution${W}and${W}use${W}in${W}source${W}and${W}binary${W}forms`, 'iy');
const PUBLIC_DOMAIN = new RegExp(String.raw`public${W}domain\b`, 'iy');
const PUBLIC_DOMAIN_SOFTWARE = new RegExp(String.raw`public${W}domain${W}software\b`, 'iy');
const PD_VERB_BEFORE = new RegExp(String.raw`\b(?:plac(?:e|es|ed|ing)|puts?|releas(?:e|es|ed|ing))(?:${W}[\w'-]+){0,3}?${W}(?:in|into|to)${W}(?:the${W})?$`, 'i');
const IS_BEFORE = new RegExp(String.raw`\bis${W}$`, 'i');

// A BSD text: its conditions run from "Redistribution and use ..." to the disclaimer.
const BSD_WINDOW = 3000;
const BSD_END = new RegExp(String.raw`THIS${W}SOFTWARE${W}IS${W}PROVIDED|\bAS${W}IS\b|IN${W}NO${W}EVENT`, 'i');
const BSD_ADVERTISING = new RegExp(String.raw`advertising${W}materials`, 'i');
const BSD_REDISTRIBUTIONS = new RegExp(String.raw`\bRedistributions?${W}(?:of|in)\b`, 'gi');
const BSD_NEITHER = new RegExp(String.raw`\bNeither${W}the${W}names?${W}of\b`, 'gi');
const BSD_ENDORSE = /\bendorse/i;
const BSD_NUMBERED = /(?:^|[\s*])\(?([1-9])[.)][\s*]/g;

type Group = { text: string; licenses: License[] };
type Field = Group & { names: string[] };

export function licensesFromCopyright(text: string): License[] {
  const s = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const dep5 = DEP5_HEADER.test(s);
  const re = dep5 ? SCAN_DEP5 : SCAN_FREE_FORM;
  const primary: License[] = [];
  const primaryNames = new Set<string>();
  const standAlone: Field[] = [];
  const prose: License[] = [];
  const paths: string[] = [];
  // DEP-5: a License field is stand-alone when no blank line parts it from the last Files (or
  // Format) field. The header paragraph (Format) is the first; -1 once that paragraph has ended.
  // Free-form files have no paragraphs to tell apart.
  let filesAt = 0;
  const crlf = dep5 && s.charCodeAt(s.indexOf('\n') - 1) === 13;
  const field = (at: number): void => {
    const eol = s.indexOf('\n', at);
    const f = licenseField(s.slice(at, eol < 0 ? s.length : eol).trim());
    if (!f) return;
    if (dep5 && filesAt >= 0 && blankLineBetween(s, filesAt, at, crlf)) filesAt = -1;
    if (filesAt >= 0) {
      appendAll(primary, f.licenses);
      for (const n of f.names) primaryNames.add(n);
    } else standAlone.push(f);
  };
  const first = dep5 ? null : LICENSE_AT_START.exec(s);
  if (first) field(first[0].length);
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[1] !== undefined) {
      if (m[1].length === 7 /* License */) field(re.lastIndex);
      else filesAt = m.index;
    } else if (m[2] !== undefined) {
      const n = m[2].replace(TRAILING_DOTS, ''); // "... in /usr/share/common-licenses/GPL-2." 
      if (n) paths.push(n);
    } else {
      const end = grant(s, m.index, m[3], prose);
      if (end > re.lastIndex) re.lastIndex = end;
    }
  }

  const known = new Set<string>();
  addTerms(primary, known);
  const out = [...primary];
  for (const f of standAlone) {
    if (f.names.every((n) => primaryNames.has(n)) || covered(f.licenses, known)) continue;
    appendAll(out, f.licenses);
  }
  appendAll(out, prose);
  addTerms(out, known);
  for (const p of paths) {
    const ls = shortName(p) ?? [];
    if (!covered(ls, known)) appendAll(out, ls);
  }
  // Parsed fields are shared between calls (memoised): hand out copies.
  return dedupeLicenses(out).map((l) => ({ ...l }));
}

/** An empty line (the paragraph separator) between `from` and `to`. */
function blankLineBetween(s: string, from: number, to: number, crlf: boolean): boolean {
  const i = s.indexOf(crlf ? '\n\r\n' : '\n\n', from);
  return i >= 0 && i < to;
}

/** The few words before `at`, where "under the" of "under the GNU ..." stands. */
function before(s: string, at: number): string {
  return s.slice(Math.max(0, at - LOOK_BACK), at);
}

function sticky(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

/** Checks a free-form grant at the trigger word `word` (at `at`); returns where it ended, or -1. */
function grant(s: string, at: number, word: string, out: License[]): number {
  let m: RegExpExecArray | null;
  switch (word.toLowerCase()) {
    case 'gnu': {
      if (!GRANT_BEFORE.test(before(s, at)) || !(m = sticky(GNU_GRANT, s, at))) return -1;
      const kind = m[1]?.toLowerCase();
      const family = kind === 'affero' ? 'AGPL' : kind ? 'LGPL' : 'GPL';
      pushSingle(out, normaliseLicense(`${family}-${m[2]}${m[3] ? '+' : ''}`));
      return GNU_GRANT.lastIndex;
    }
    case 'apache':
      if (!(m = sticky(APACHE, s, at))) return -1;
      pushSingle(out, normaliseLicense(`Apache-${m[1]}`));
      return APACHE.lastIndex;
    case 'permission':
      if (!sticky(MIT_TEXT, s, at)) return -1;
      out.push({ spdx: 'MIT' });
      return MIT_TEXT.lastIndex;
    case 'mit':
    case 'expat':
      if (!GRANT_BEFORE.test(before(s, at)) || !sticky(MIT_NAME, s, at)) return -1;
      out.push({ spdx: 'MIT' });
      return MIT_NAME.lastIndex;
    case 'redistribution': {
      if (!sticky(BSD_TEXT, s, at)) return -1;
      const id = bsdClauses(s.slice(BSD_TEXT.lastIndex, BSD_TEXT.lastIndex + BSD_WINDOW));
      if (id) out.push({ spdx: id });
      return BSD_TEXT.lastIndex;
    }
    default: {
      // "placed in the public domain", "is public domain software"
      const b = before(s, at);
      const re = PD_VERB_BEFORE.test(b) ? PUBLIC_DOMAIN : IS_BEFORE.test(b) ? PUBLIC_DOMAIN_SOFTWARE : undefined;
      if (!re || !sticky(re, s, at)) return -1;
      out.push({ name: 'public-domain' });
      return re.lastIndex;
    }
  }
}

function pushSingle(out: License[], ls: License[]): void {
  if (ls.length === 1 && ls[0].spdx !== undefined) out.push(ls[0]);
}

/** The same few License values recur in every file (and across packages): each is parsed once. */
const licenseField = memoizeParse(parseLicenseField, 4096);

/**
 * One "License:" field's first line as a DEP-5 expression. A line that is not made of short
 * names is one name when short ("GPL version 2 or later"), else prose (undefined).
 */
function parseLicenseField(value: string): Field | undefined {
  if (!value || value.length > MAX_NAME_LENGTH) return undefined;
  const names: string[] = [];
  const expr = dep5Expression(value, names);
  if (expr) return { ...expr, names };
  if (value.split(WORDS).length > MAX_NAME_WORDS) return undefined;
  return { text: value, licenses: normaliseLicense(value), names: [value.toLowerCase()] };
}

/** "A or B and C, and D": comma-separated groups, each an "or" of "and"s of short names. */
function dep5Expression(value: string, names: string[]): Group | undefined {
  let acc: Group | undefined;
  for (const segment of value.split(COMMA)) {
    if (!segment) continue;
    const op = acc ? LEADING_OP.exec(segment) : null;
    const body = op ? segment.slice(op[0].length) : segment;
    const alternatives: Group[] = [];
    for (const alternative of body.split(OR)) {
      const terms: Group[] = [];
      for (const term of alternative.split(AND)) {
        const licenses = shortName(term);
        if (!licenses) return undefined;
        names.push(term.toLowerCase());
        terms.push({ text: term, licenses });
      }
      alternatives.push(combine('and', terms, alternative));
    }
    const group = combine('or', alternatives, body);
    acc = acc ? combine(op?.[1].toLowerCase() === 'or' ? 'or' : 'and', [acc, group], `${acc.text}, ${segment}`) : group;
  }
  return acc;
}

/** One DEP-5 short name, with its exception if any; undefined when it is not one (has spaces). */
function shortName(term: string): License[] | undefined {
  const w = WITH.exec(term);
  const base = w ? w[1] : term;
  if (SPACE.test(base)) return undefined;
  const debian = DEBIAN_NAMES.get(base.toLowerCase());
  if (!w) return debian ? [{ spdx: debian }] : normaliseLicense(base);
  const lic = debian ?? singleSpdx(normaliseLicense(base));
  const ex = exceptionId(w[2]);
  return lic && ex && !SPACE.test(lic) ? [{ spdx: `${lic} WITH ${ex}` }] : [{ name: term }];
}

function singleSpdx(ls: License[]): string | undefined {
  return ls.length === 1 ? ls[0].spdx : undefined;
}

/**
 * Parts joined by one operator: one SPDX expression when every part is one; else, for "and",
 * the parts listed (all apply), and for "or" the whole text as one name (the shared rule).
 */
function combine(op: 'and' | 'or', groups: Group[], text: string): Group {
  if (groups.length === 1) return groups[0];
  const ids = groups.map((g) => singleSpdx(g.licenses));
  if (ids.every((id) => id !== undefined)) {
    // "BSD-3-clause and BSD-3-clause-generic" can name one SPDX license twice: A AND A is A.
    const expr = [...new Set(ids)].map((id) => (SPACE.test(id!) ? `(${id})` : id)).join(op === 'and' ? ' AND ' : ' OR ');
    return { text, licenses: [{ spdx: singleSpdx(normaliseLicense(expr)) ?? expr }] };
  }
  return { text, licenses: op === 'and' ? dedupeLicenses(groups.flatMap((g) => g.licenses)) : [{ name: text }] };
}

/** BSD-3-Clause or BSD-2-Clause when the conditions are exactly those; else undefined. */
function bsdClauses(after: string): string | undefined {
  const end = BSD_END.exec(after);
  if (!end) return undefined;
  const conditions = after.slice(0, end.index);
  if (BSD_ADVERTISING.test(conditions)) return undefined;
  if ((conditions.match(BSD_REDISTRIBUTIONS)?.length ?? 0) !== 2) return undefined;
  let highest = 0;
  BSD_NUMBERED.lastIndex = 0;
  for (let n = BSD_NUMBERED.exec(conditions); n; n = BSD_NUMBERED.exec(conditions)) highest = Math.max(highest, Number(n[1]));
  const neither = conditions.match(BSD_NEITHER)?.length ?? 0;
  if (neither === 1 && highest <= 3) return 'BSD-3-Clause';
  if (neither === 0 && highest <= 2 && !BSD_ENDORSE.test(conditions)) return 'BSD-2-Clause';
  return undefined;
}

function addTerms(ls: License[], into: Set<string>): void {
  for (const l of ls) {
    if (l.spdx !== undefined) {
      if (!SPACE.test(l.spdx)) into.add(l.spdx);
      else for (const t of l.spdx.split(EXPRESSION_TERMS)) if (t.trim()) into.add(t.trim());
    } else if (l.name !== undefined) into.add(`name:${l.name.toLowerCase()}`);
  }
}

/** Every license id (or name) in `ls` is already among `known`. */
function covered(ls: License[], known: Set<string>): boolean {
  if (ls.length === 0) return false;
  const terms = new Set<string>();
  addTerms(ls, terms);
  for (const t of terms) if (!known.has(t)) return false;
  return true;
}
