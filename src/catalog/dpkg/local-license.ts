import { createRequire } from 'node:module';
import parseSpdx from 'spdx-expression-parse';
import type { License } from '../../sbom/model.js';

/*
 * Temporary license normalisation shared by the OS package catalogers (dpkg, apk, rpm) until
 * the shared src/sbom/license.ts exists; then these callers should switch to it.
 * Deliberately conservative: only names whose meaning is clear map to SPDX; anything else is
 * kept as a named non-SPDX license rather than guessed.
 */

const require = createRequire(import.meta.url);
const SPDX_IDS: string[] = require('spdx-license-ids/index.json');
const BY_LOWER = new Map(SPDX_IDS.map((id) => [id.toLowerCase(), id]));

/** Distribution short names (Debian common-licenses, Alpine, Fedora/SUSE) that are not SPDX ids. */
const ALIASES: Record<string, string> = {
  'gpl': 'GPL-2.0-or-later',
  'lgpl': 'LGPL-2.0-or-later',
  'bsd': 'BSD-3-Clause',
  'apache': 'Apache-2.0',
  'apache2': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'asl 1.1': 'Apache-1.1',
  'mplv2.0': 'MPL-2.0',
  'mpl-2': 'MPL-2.0',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'zpl 2.1': 'ZPL-2.1',
  'artistic': 'Artistic-1.0',
  'mpl': 'MPL-1.1',
  'openssl': 'OpenSSL',
  'zlib': 'Zlib',
  'python': 'Python-2.0',
  'psf': 'Python-2.0',
  'expat': 'MIT',
  'mit/x11': 'MIT',
  'x11': 'X11',
  'isc': 'ISC',
  'cc0': 'CC0-1.0',
  'cc0-1.0': 'CC0-1.0',
  'public domain': 'LicenseRef-Public-Domain',
};

/**
 * GNU family names as distributions write them: GPL-2, GPLv2, GPL2+, LGPL-2.1+, GPL-3.0-or-later,
 * AGPL-3, "GPLv2 or later".
 */
function gnuName(s: string): string | undefined {
  const m = /^(a|l)?gpl[-_ ]?v?(\d)(?:\.(\d))?(\+| or later|-or-later|-only)?$/i.exec(s.trim());
  if (!m) return undefined;
  const fam = (m[1] ?? '').toUpperCase() + 'GPL';
  const minor = m[3] ?? '0';
  const ver = `${m[2]}.${minor}`;
  const later = m[4] !== undefined && m[4] !== '-only';
  const id = `${fam}-${ver}-${later ? 'or-later' : 'only'}`;
  return BY_LOWER.has(id.toLowerCase()) ? BY_LOWER.get(id.toLowerCase()) : undefined;
}

/** One license name to SPDX when its meaning is clear; otherwise kept by name. */
export function normaliseLicenseName(raw: string): License {
  const s = raw.trim();
  if (!s) return { name: raw };
  const exact = BY_LOWER.get(s.toLowerCase());
  if (exact) return { spdx: exact };
  const alias = ALIASES[s.toLowerCase()];
  if (alias && !alias.startsWith('LicenseRef-')) return { spdx: alias };
  const gnu = gnuName(s);
  if (gnu) return { spdx: gnu };
  return { name: s };
}

/** Whether a string is a valid SPDX expression (ids, WITH, AND, OR, parentheses). */
function isSpdxExpression(s: string): boolean {
  try {
    parseSpdx(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * A license field that may be an SPDX expression (Alpine, newer Fedora/SUSE) or a list of
 * short names separated by spaces or commas (older Alpine: "MIT BSD GPL2+"). An expression
 * stays one License; a list becomes one License per name.
 */
export function licensesFromField(field: string): License[] {
  const s = field.trim().replace(/\s+/g, ' ');
  if (!s) return [];
  if (/\s(AND|OR|WITH)\s/.test(s) && isSpdxExpression(s)) return [{ spdx: normaliseExpressionSpacing(s) }];
  const single = normaliseLicenseName(s);
  if (single.spdx) return [single];
  if (!/[\s,]/.test(s)) return [single];
  if (/\s(and|or|AND|OR)\s/.test(s) || /[()]/.test(s)) return [conjunction(s)];
  return dedupe(s.split(/[\s,]+/).filter(Boolean).map(normaliseLicenseName));
}

/**
 * Fedora-style "GPLv2+ and LGPLv2+" or "MIT or ASL 2.0": when every term maps to SPDX the
 * whole becomes one SPDX expression; otherwise the text is kept by name.
 */
function conjunction(s: string): License {
  const parts = s.replace(/[()]/g, ' $& ').split(/\s+(and|or|AND|OR)\s+/);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      out.push(parts[i].toUpperCase());
      continue;
    }
    const term = parts[i].trim();
    const open = /^[( ]*/.exec(term)![0].replace(/\s/g, '');
    const close = /[) ]*$/.exec(term)![0].replace(/\s/g, '');
    const id = normaliseLicenseName(term.slice(/^[( ]*/.exec(term)![0].length, term.length - /[) ]*$/.exec(term)![0].length)).spdx;
    if (!id) return { name: s };
    out.push(open + id + close);
  }
  const expr = out.join(' ');
  return isSpdxExpression(expr) ? { spdx: expr } : { name: s };
}

function normaliseExpressionSpacing(s: string): string {
  return s.replace(/\(\s+/g, '(').replace(/\s+\)/g, ')');
}

export function dedupe(ls: License[]): License[] {
  const seen = new Set<string>();
  const out: License[] = [];
  for (const l of ls) {
    const k = `${l.spdx ?? ''}|${l.name ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(l);
  }
  return out;
}

/** Every license id or name a list mentions (expressions flattened), for comparisons. */
export function licenseTerms(ls: License[]): string[] {
  const out = new Set<string>();
  for (const l of ls) {
    if (l.spdx) for (const t of l.spdx.split(/\s+(?:AND|OR|WITH)\s+|[()]/)) if (t.trim()) out.add(t.trim());
    if (l.name && !l.spdx) out.add(l.name);
  }
  return [...out];
}
