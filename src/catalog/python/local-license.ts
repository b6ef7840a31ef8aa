/*
 * Interim license normalisation for the language catalogers (python, gem, composer) until the
 * shared src/sbom/license.ts exists; callers should switch to it then.
 *
 * Deliberately conservative: text becomes `spdx` only when it already is an SPDX id or
 * expression (any case), or is one of a few unambiguous aliases below. Anything else keeps its
 * original text as `name`, so "BSD License" (which BSD?) is never guessed into a specific id.
 */
import { createRequire } from 'node:module';
import parseSpdx from 'spdx-expression-parse';
import type { License } from '../../sbom/model.js';

const require = createRequire(import.meta.url);
const SPDX_IDS: string[] = [...(require('spdx-license-ids') as string[]), ...(require('spdx-license-ids/deprecated.json') as string[])];
const BY_LOWER = new Map(SPDX_IDS.map((id) => [id.toLowerCase(), id]));

/** Names for which only one SPDX id is plausible (lowercased, spaces collapsed). */
const ALIASES: Record<string, string> = {
  'mit license': 'MIT',
  'the mit license': 'MIT',
  'mit-license': 'MIT',
  'apache 2.0': 'Apache-2.0',
  'apache 2': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0',
  'apache license version 2.0': 'Apache-2.0',
  'apache software license 2.0': 'Apache-2.0',
  'isc license': 'ISC',
  'isc license (iscl)': 'ISC',
  'python software foundation license': 'PSF-2.0',
  'mozilla public license 1.1 (mpl 1.1)': 'MPL-1.1',
  'mozilla public license 2.0 (mpl 2.0)': 'MPL-2.0',
  'gnu general public license v2 (gplv2)': 'GPL-2.0-only',
  'gnu general public license v2 or later (gplv2+)': 'GPL-2.0-or-later',
  'gnu general public license v3 (gplv3)': 'GPL-3.0-only',
  'gnu general public license v3 or later (gplv3+)': 'GPL-3.0-or-later',
  'gnu lesser general public license v2 (lgplv2)': 'LGPL-2.0-only',
  'gnu lesser general public license v2 or later (lgplv2+)': 'LGPL-2.0-or-later',
  'gnu lesser general public license v3 (lgplv3)': 'LGPL-3.0-only',
  'gnu lesser general public license v3 or later (lgplv3+)': 'LGPL-3.0-or-later',
  'gnu affero general public license v3': 'AGPL-3.0-only',
  'gnu affero general public license v3 or later (agplv3+)': 'AGPL-3.0-or-later',
  'eclipse public license 2.0 (epl-2.0)': 'EPL-2.0',
  'eclipse public license 1.0 (epl-1.0)': 'EPL-1.0',
  'boost software license 1.0 (bsl-1.0)': 'BSL-1.0',
  'the unlicense (unlicense)': 'Unlicense',
  'zlib/libpng license': 'Zlib',
};

/** Values that say nothing about the license. */
const PLACEHOLDERS = new Set(['', 'unknown', 'none', 'n/a', 'na', 'null', 'undefined', 'other', 'other/proprietary license', 'license', 'see license', 'unknown license']);

const MAX_NAME = 200;

/** True when the text names no license at all (UNKNOWN, empty, ...). */
export function isPlaceholderLicense(text: string): boolean {
  return PLACEHOLDERS.has(text.trim().toLowerCase());
}

/** An SPDX id written in any case, as its canonical spelling. */
export function spdxId(text: string): string | undefined {
  return BY_LOWER.get(text.trim().toLowerCase());
}

/** One declared license text → License, or undefined for placeholders. */
export function licenseFromText(raw: string): License | undefined {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (isPlaceholderLicense(text)) return undefined;
  const id = spdxId(text);
  if (id) return { spdx: id };
  const alias = ALIASES[text.toLowerCase()];
  if (alias) return { spdx: alias };
  if (/\s(AND|OR|WITH)\s|[()]/i.test(text) && text.length <= MAX_NAME) {
    // Composer and others write operators in lowercase; SPDX spells them in capitals.
    const expr = text.replace(/\s(and|or|with)\s/gi, (m) => m.toUpperCase());
    try {
      parseSpdx(expr);
      return { spdx: expr };
    } catch {
      /* not an expression: keep the text */
    }
  }
  return { name: text.length > MAX_NAME ? text.slice(0, MAX_NAME) + '…' : text };
}

/** Several declared texts, placeholders dropped, duplicates removed (by spdx or name). */
export function licensesFromTexts(texts: string[]): License[] {
  const out: License[] = [];
  const seen = new Set<string>();
  for (const t of texts) {
    const l = licenseFromText(t);
    if (!l) continue;
    const key = licenseKey(l);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out;
}

/** A comparable key: the SPDX form when there is one, otherwise the text. */
export function licenseKey(l: License): string {
  return l.spdx ?? l.name ?? '';
}

/**
 * Recognise a license from the text of a LICENSE/COPYING file by phrases that only that
 * license has. Returns undefined unless exactly one license matches.
 */
export function detectLicenseText(text: string): string | undefined {
  const t = text.slice(0, 64 * 1024).replace(/\s+/g, ' ');
  const hits: string[] = [];
  if (/Apache License,? Version 2\.0/i.test(t)) hits.push('Apache-2.0');
  if (/Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(t)) hits.push('MIT');
  if (/Permission to use, copy, modify, and\/or distribute this software for any purpose with or without fee is hereby granted/i.test(t)) hits.push('ISC');
  if (/Redistribution and use in source and binary forms, with or without modification, are permitted/i.test(t)) {
    if (/(Neither the name|names of its contributors may be used) .* (endorse|promote)/i.test(t)) hits.push('BSD-3-Clause');
    else if (!/advertising materials/i.test(t)) hits.push('BSD-2-Clause');
  }
  if (/GNU LESSER GENERAL PUBLIC LICENSE Version 3/i.test(t)) hits.push('LGPL-3.0');
  else if (/GNU LESSER GENERAL PUBLIC LICENSE Version 2\.1/i.test(t)) hits.push('LGPL-2.1');
  else if (/GNU GENERAL PUBLIC LICENSE Version 3/i.test(t)) hits.push('GPL-3.0');
  else if (/GNU GENERAL PUBLIC LICENSE Version 2, June 1991/i.test(t)) hits.push('GPL-2.0');
  if (/Mozilla Public License,? (Version|v\.?) ?2\.0/i.test(t)) hits.push('MPL-2.0');
  if (/This is free and unencumbered software released into the public domain/i.test(t)) hits.push('Unlicense');
  return hits.length === 1 ? hits[0] : undefined;
}
