import { dedupeLicenses, normaliseLicense } from '../../sbom/license.js';
import type { License } from '../../sbom/model.js';

/**
 * Bare family names in old Alpine APKBUILDs. Alpine's packagers used them for the GPL-2+/
 * 3-clause-BSD texts, and other scanners (Trivy) report them so; the shared normaliser
 * rightly will not guess a version for them in general, so the guess is made here only.
 */
const APK_ALIASES: Record<string, string> = { gpl: 'GPL-2.0-or-later', bsd: 'BSD-3-Clause' };

/**
 * An apk L: field. Current Alpine writes an SPDX expression; older packages a space-separated
 * list ("MIT BSD GPL2+"), each word a license.
 */
export function apkLicenses(field: string): License[] {
  const text = field.trim();
  if (!text) return [];
  const isList = /\s/.test(text) && !/[()]|\s(AND|OR|WITH|and|or|with)\s/.test(text);
  const words = isList ? text.split(/\s+/) : [text];
  return dedupeLicenses(
    words.flatMap((w) => {
      const alias = APK_ALIASES[w.toLowerCase()];
      return alias ? [{ spdx: alias }] : normaliseLicense(w);
    }),
  );
}
