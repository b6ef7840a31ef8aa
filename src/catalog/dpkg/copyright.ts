import type { License } from '../../sbom/model.js';
import { dedupeLicenses, normaliseLicense } from '../../sbom/license.js';

/** Licenses are stated near the top; a huge copyright file is read only this far. */
const MAX_SCAN = 2 * 1024 * 1024;

/**
 * Licenses named by a Debian copyright file: the short names of DEP-5 "License:" fields
 * (split on "or"/"and"/","), and the common-licenses files free-form texts point at
 * ("/usr/share/common-licenses/GPL-2"). Names that are not SPDX are kept by name
 * (e.g. "public-domain").
 */
export function licensesFromCopyright(text: string): License[] {
  const s = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const names: string[] = [];
  for (const m of s.matchAll(/^License:[ \t]*([^\n]*)$/gim)) {
    const value = m[1].trim();
    if (!value) continue;
    for (const part of value.split(/\s+(?:or|and)\s+|\s*,\s*/i)) {
      const n = part.replace(/\s+with\s+.*$/i, '').trim();
      if (n && n.length <= 100) names.push(n);
    }
  }
  for (const m of s.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9_.+-]+)/g)) {
    const n = m[1].replace(/\.+$/, '');
    if (n) names.push(n);
  }
  return dedupeLicenses(names.flatMap((n) => normaliseLicense(n)));
}
