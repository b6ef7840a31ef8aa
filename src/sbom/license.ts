/**
 * License text as ecosystems write it ("Apache 2.0", "GPL-2+", "GPLv2", "BSD-3-clause",
 * "GPL-2.0+ and LGPL-2.1+", Python classifiers, Maven <license><name>) normalised to SPDX.
 *
 * Rules, in order, for one license: known aliases; a short name in trailing parentheses
 * ("... (GPLv2+)"); the GNU family with its "+"/"or later"/"only" forms; "<family> <version>"
 * for Apache/MPL/EPL/CDDL/Artistic/...; a case-insensitive SPDX id (with " License" dropped);
 * last, spdx-correct, but only when it kept the version the text gave (it guesses versions:
 * "GPL" becomes GPL-3.0-or-later, "MPL 1.1" becomes MPL-2.0). Text we cannot map is kept as a
 * named non-SPDX license rather than guessed.
 */
import { createRequire } from 'node:module';
import parseSpdx from 'spdx-expression-parse';
import type { License } from './model.js';
import { memoizeParse } from '../util/memo.js';
import { appendAll } from '../util/arrays.js';

const require = createRequire(import.meta.url);

// spdx-correct sorts its tables when it loads (10–20 ms): loaded when first needed, which most
// runs (every text an exact or known name) never are.
type SpdxCorrect = (text: string, opts?: { upgrade?: boolean }) => string | null;
let spdxCorrect: SpdxCorrect | undefined;
const correct = (text: string, opts: { upgrade: boolean }): string | null => (spdxCorrect ??= require('spdx-correct') as SpdxCorrect)(text, opts);
const LICENSE_IDS: string[] = require('spdx-license-ids');
const DEPRECATED_IDS: string[] = require('spdx-license-ids/deprecated.json');
const EXCEPTION_IDS: string[] = require('spdx-exceptions');

const ID_BY_LOWER = new Map<string, string>([...LICENSE_IDS, ...DEPRECATED_IDS].map((id) => [id.toLowerCase(), id]));
const EXCEPTION_BY_LOWER = new Map<string, string>(EXCEPTION_IDS.map((id) => [id.toLowerCase(), id]));
const DEPRECATED = new Set(DEPRECATED_IDS);

/** Longer than this is a license *text*, not a name: kept as a name, never parsed. */
const MAX_EXPRESSION_LENGTH = 512;

/** Values that say "no license information". */
const NO_INFO = new Set(['', 'unknown', 'none', 'noassertion', 'n/a', 'na', 'null', 'undefined', 'other', 'other/proprietary license']);

/** Names that are not SPDX-shaped but mean exactly one SPDX license. */
const ALIASES: Record<string, string> = {
  bsdl: 'BSD-2-Clause', // Ruby's name for its 2-clause BSD license
  psfl: 'PSF-2.0',
  'python software foundation license': 'PSF-2.0',
  'psf license': 'PSF-2.0',
  'python license': 'Python-2.0',
  'python license (cnri python license)': 'CNRI-Python',
  'isc license (iscl)': 'ISC',
  'mit license': 'MIT',
  'the mit license': 'MIT',
  expat: 'MIT',
  'mit/x11': 'MIT',
  'zlib/libpng': 'Zlib',
  'boost software license 1.0 (bsl-1.0)': 'BSL-1.0',
  'apache software license': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'the unlicense': 'Unlicense',
  'unlicense': 'Unlicense',
  'cc0': 'CC0-1.0',
  'wtfpl': 'WTFPL',
  'perl': 'Artistic-1.0-Perl OR GPL-1.0-or-later',
  // The names SPDX gives in full: BSD 3-Clause "New" or "Revised", BSD 2-Clause "Simplified"
  // (whose FreeBSD variant it folded into BSD-2-Clause).
  'new bsd license': 'BSD-3-Clause',
  'revised bsd license': 'BSD-3-Clause',
  'modified bsd license': 'BSD-3-Clause',
  'simplified bsd license': 'BSD-2-Clause',
  'freebsd license': 'BSD-2-Clause',
};

/** Exception names that are not an SPDX id, nor one with "-exception[-version]" added. */
const EXCEPTION_ALIASES: Record<string, string> = {
  'classpath': 'Classpath-exception-2.0',
  'gcc runtime library': 'GCC-exception-3.1',
  'gcc-runtime-3.1': 'GCC-exception-3.1', // Debian's DEP-5 keyword
  'font': 'Font-exception-2.0', // Debian's "Font" exception text is SPDX's Font-exception-2.0
};

/**
 * The SPDX exception an exception name means: an SPDX id ("Classpath-exception-2.0",
 * "Linux-syscall-note"), a keyword that becomes one with "-exception" ("LLVM") or
 * "-exception-<version>" ("Bison-2.2"), or a known alias; the word "exception" may follow.
 * Undefined when none fits or several could (Autoconf, Bison unversioned, OpenSSL).
 */
export function exceptionId(phrase: string): string | undefined {
  const full = phrase.trim().toLowerCase().replace(/\s+/g, ' ');
  const k = full.replace(/\s+2\.0$/, '').replace(/[\s-]+exception$/, '');
  const v = /^(.+?)-(\d+(?:\.\d+)*)$/.exec(k);
  return (
    EXCEPTION_BY_LOWER.get(full) ??
    EXCEPTION_BY_LOWER.get(k) ??
    EXCEPTION_BY_LOWER.get(`${k}-exception`) ??
    (v ? EXCEPTION_BY_LOWER.get(`${v[1]}-exception-${v[2]}`) : undefined) ??
    EXCEPTION_ALIASES[k]
  );
}

/** "<family> <version>" names and their SPDX id prefix. */
const VERSIONED_FAMILIES: [RegExp, string][] = [
  [/^(?:the\s+)?apache(?:\s+software)?(?:\s+license)?$/i, 'Apache'],
  [/^(?:mozilla\s+public\s+license|mpl)$/i, 'MPL'],
  [/^(?:eclipse\s+public\s+license|epl)$/i, 'EPL'],
  [/^(?:eclipse\s+distribution\s+license|edl)$/i, 'BSD-3-Clause'], // EDL 1.0 is BSD-3-Clause
  [/^(?:common\s+development\s+and\s+distribution\s+license|cddl)$/i, 'CDDL'],
  [/^(?:artistic(?:\s+license)?)$/i, 'Artistic'],
  [/^(?:academic\s+free\s+license|afl)$/i, 'AFL'],
  [/^(?:boost\s+software\s+license|bsl)$/i, 'BSL'],
  [/^(?:european\s+union\s+public\s+licen[cs]e|eupl)$/i, 'EUPL'],
  [/^(?:creative\s+commons\s+zero|cc0)$/i, 'CC0'],
];

function versionForm(v: string): string {
  return v.includes('.') ? v : `${v}.0`;
}

/** GNU licenses: GPL/LGPL/AGPL/GFDL with a version and "+", "or later" or "only". */
function gnuLicense(text: string): string | undefined {
  const t = text
    .replace(/\bGNU\s+(?:Lesser|Library)\s+General\s+Public\s+Licen[cs]e\b/i, 'LGPL')
    .replace(/\bGNU\s+Affero\s+General\s+Public\s+Licen[cs]e\b/i, 'AGPL')
    .replace(/\bGNU\s+Free\s+Documentation\s+Licen[cs]e\b/i, 'GFDL')
    .replace(/\bGNU\s+General\s+Public\s+Licen[cs]e\b/i, 'GPL')
    .replace(/^GNU\s+/i, '')
    .trim();
  const m = /^(A|L|)GPL|^(GFDL)/i.exec(t);
  if (!m) return undefined;
  const family = m[2] ? 'GFDL' : `${m[1].toUpperCase()}GPL`;
  const rest = t.slice(m[0].length);
  const v = /^[\s,-]*(?:v(?:ersion)?\.?\s*)?(\d+(?:\.\d+)?)\s*(\+|[\s-]*or[\s-]*(?:any[\s-]*)?later(?:[\s-]*version)?|[\s-]*only)?$/i.exec(rest);
  if (!v) return undefined;
  const suffix = v[2] === undefined ? '-only' : /only/i.test(v[2]) ? '-only' : '-or-later';
  const id = `${family}-${versionForm(v[1])}${suffix}`;
  return ID_BY_LOWER.has(id.toLowerCase()) ? id : undefined;
}

function versionedFamily(text: string): string | undefined {
  const m = /^(.*?)[\s,-]*(?:v(?:ersion)?\.?\s*)?(\d+(?:\.\d+)*)$/i.exec(text.trim());
  if (!m) return undefined;
  for (const [re, prefix] of VERSIONED_FAMILIES) {
    if (!re.test(m[1].trim())) continue;
    if (prefix === 'BSD-3-Clause') return prefix;
    for (const candidate of [`${prefix}-${m[2]}`, `${prefix}-${versionForm(m[2])}`]) {
      const id = ID_BY_LOWER.get(candidate.toLowerCase());
      if (id) return id;
    }
  }
  return undefined;
}

/** Version numbers a text states, normalised (2 and 2.0 are the same). */
function versionsIn(text: string): string[] {
  return [...text.matchAll(/(\d+(?:\.\d+)?)/g)].map((m) => versionForm(m[1])).sort();
}

/** spdx-correct, but only when it did not invent or change a version. */
function guardedCorrect(text: string): string | undefined {
  // spdx-correct reads a whole sentence as one license ("A OR B or c" becomes A): only names.
  if (text.length > 80 || /\s(and|or|with)\s|[,;/&+]\s/i.test(text)) return undefined;
  let out: string | null;
  try {
    out = correct(text, { upgrade: true });
  } catch {
    return undefined;
  }
  if (!out) return undefined;
  const vin = versionsIn(text);
  const vout = versionsIn(out);
  if (vin.join() !== vout.join()) return undefined;
  if (/later|\+/i.test(text) !== /-or-later$|\+$/.test(out)) return undefined;
  // It drops exceptions ("SUSE-GPL-2.0-with-OSI-exception" became GPL-2.0-only).
  if (/exception/i.test(text) && !/exception/i.test(out)) return undefined;
  // It guesses by likeness ("FSF-unlimited" became Unlicense) and drops qualifiers
  // ("MIT-US-export" became MIT): every word the text gives must be in the answer.
  const said = new Set(wordsOf(out));
  if (!wordsOf(text).every((w) => said.has(w))) return undefined;
  return out;
}

/** Words that carry no meaning of their own in a license name. */
const FILLER = new Set(['the', 'license', 'licence', 'licensed', 'version', 'v', 'or', 'later', 'only', 'any', 'public', 'general', 'software']);

/** The letters-only words of a license name, lower case, filler left out. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 1 && !FILLER.has(w));
}

/** One license name (no AND/OR) to an SPDX id or `id WITH exception`; undefined if unknown. */
function singleLicense(raw: string): string | undefined {
  const text = raw.trim().replace(/^\((.*)\)$/, '$1').trim();
  if (!text) return undefined;
  const withM = /^(.*?)\s+with\s+(.+)$/i.exec(text);
  if (withM) {
    const lic = singleLicense(withM[1]);
    const ex = exceptionId(withM[2]);
    return lic && ex && !lic.includes(' ') ? `${lic} WITH ${ex}` : undefined;
  }
  const lower = text.toLowerCase();
  if (ALIASES[lower]) return ALIASES[lower];
  const exact = ID_BY_LOWER.get(lower);
  if (exact) return upgradeId(exact, false);
  const plus = /^(.+)\+$/.exec(text);
  if (plus && ID_BY_LOWER.has(plus[1].toLowerCase())) return upgradeId(ID_BY_LOWER.get(plus[1].toLowerCase())!, true);
  // Python trove classifiers end with the short name in parentheses: "... (GPLv2+)".
  const paren = /\(([^()]+)\)\s*$/.exec(text);
  if (paren) {
    const inner = singleLicense(paren[1]);
    if (inner) return inner;
  }
  const gnu = gnuLicense(text);
  if (gnu) return gnu;
  const fam = versionedFamily(text);
  if (fam) return fam;
  const stripped = text.replace(/^the\s+/i, '').replace(/\s+licen[cs]e$/i, '');
  if (stripped !== text) {
    const id = ID_BY_LOWER.get(stripped.toLowerCase());
    if (id) return upgradeId(id, false);
  }
  return guardedCorrect(text);
}

/** Deprecated GNU ids to their -only / -or-later form; other "+" ids stay "id+". */
function upgradeId(id: string, plus: boolean): string {
  if (DEPRECATED.has(id) && /^(A|L|)GPL-\d\.\d$|^GFDL-\d\.\d$/.test(id)) return `${id}${plus ? '-or-later' : '-only'}`;
  if (plus && /^(A|L|)GPL-\d\.\d-only$/.test(id)) return id.replace(/-only$/, '-or-later');
  return plus ? `${id}+` : id;
}

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };

function serialise(node: SpdxNode, parent?: 'and' | 'or'): string {
  if ('license' in node) {
    const base = node.license.startsWith('LicenseRef-') || node.license.startsWith('DocumentRef-') ? node.license : upgradeId(node.license, !!node.plus);
    return node.exception ? `${base} WITH ${node.exception}` : base;
  }
  const s = `${serialise(node.left, node.conjunction)} ${node.conjunction.toUpperCase()} ${serialise(node.right, node.conjunction)}`;
  return parent && parent !== node.conjunction ? `(${s})` : s;
}

/** A valid SPDX expression, canonicalised (operators upper case, deprecated ids upgraded). */
function asSpdxExpression(text: string): string | undefined {
  const upper = text.replace(/\s+(and|or|with)\s+/gi, (_m, op: string) => ` ${op.toUpperCase()} `);
  try {
    return serialise(parseSpdx(upper) as SpdxNode);
  } catch {
    return undefined;
  }
}

function splitTopLevel(text: string, op: 'and' | 'or'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const re = new RegExp(`\\s+${op}\\s+`, 'gi');
  // Split only outside parentheses.
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /\s/.test(c)) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m && m.index === i) {
        parts.push(text.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * Normalises one license statement. Returns [] when it says nothing ("UNKNOWN", empty); one
 * `{ spdx }` for an SPDX id or expression; for "A and B" where only some parts are known, one
 * entry per part (a conjunction means all of them apply); else one `{ name }` with the text.
 */
export function normaliseLicense(input: string | null | undefined): License[] {
  if (typeof input !== 'string') return [];
  // A few texts ("MIT", "GPL-2+") recur across thousands of packages: normalise each once.
  return normalisedText(input).map((l) => ({ ...l }));
}

const normalisedText = memoizeParse(normaliseText, 4096);

function normaliseText(input: string): License[] {
  const text = input.replace(/\s+/g, ' ').trim();
  if (NO_INFO.has(text.toLowerCase())) return [];
  if (text.length > MAX_EXPRESSION_LENGTH) return [{ name: input.trim().slice(0, 4096) }];

  const direct = asSpdxExpression(text);
  if (direct) return [{ spdx: direct }];

  const single = singleLicense(text);
  if (single) return [{ spdx: asSpdxExpression(single) ?? single }];

  for (const op of ['or', 'and'] as const) {
    const parts = splitTopLevel(text, op);
    if (parts.length < 2) continue;
    const mapped = parts.map((p) => normaliseText(p));
    if (mapped.every((m) => m.length === 1 && m[0].spdx)) {
      const expr = mapped.map((m) => m[0].spdx!).join(` ${op.toUpperCase()} `);
      return [{ spdx: asSpdxExpression(expr) ?? expr }];
    }
    // Every part of a conjunction applies, so known and unknown parts can be listed apart.
    if (op === 'and') return dedupeLicenses(mapped.flat());
  }
  return [{ name: text }];
}

/** Normalises several statements (e.g. a Maven pom's licenses) into one de-duplicated list. */
export function normaliseLicenses(inputs: Iterable<string | null | undefined>): License[] {
  const out: License[] = [];
  for (const x of inputs) appendAll(out, normaliseLicense(x));
  return dedupeLicenses(out);
}

export function dedupeLicenses(list: License[]): License[] {
  const seen = new Set<string>();
  return list.filter((l) => {
    const key = l.spdx !== undefined ? `s:${l.spdx}` : `n:${l.name ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** True when `id` is a current or deprecated SPDX license id. */
/** Whether text parses as an SPDX license expression. */
export function isValidSpdxExpression(s: string): boolean {
  try {
    parseSpdx(s);
    return true;
  } catch {
    return false;
  }
}

export function isSpdxLicenseId(id: string): boolean {
  return ID_BY_LOWER.get(id.toLowerCase()) === id;
}

/** A license as one display string (SPDX expression, or the name). */
export function licenseText(l: License): string {
  return l.spdx ?? l.name ?? '';
}

/** The parts of an expression joined by a top-level AND (parentheses respected). */
export function splitConjunction(expression: string): string[] {
  return splitTopLevel(expression, 'and');
}
