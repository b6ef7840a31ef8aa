import { posix } from 'node:path';
import type { License } from '../../sbom/model.js';
import { all, first, type Headers } from './core-metadata.js';
import { normaliseLicense, normaliseLicenses } from '../../sbom/license.js';
import { detectLicenseText } from './license-file.js';

/** Every place core metadata declares a license, kept apart (metadata of the package). */
export interface DeclaredLicenses {
  /** PEP 639 License-Expression (SPDX). */
  expression?: string;
  /** The free-text License field, as written. */
  license?: string;
  /** Last segment of each "License :: ..." classifier, the bare "License :: OSI Approved" left out. */
  classifiers: string[];
  /** License-File entries (paths relative to the metadata directory). */
  files: string[];
}

export function declaredLicenses(h: Headers): DeclaredLicenses {
  const classifiers: string[] = [];
  for (const c of all(h, 'Classifier')) {
    if (!c.startsWith('License :: ')) continue;
    const parts = c.split(' :: ');
    const last = parts[parts.length - 1].trim();
    // "License :: OSI Approved" alone is a grouping, not a license.
    if (parts.length === 2 && last === 'OSI Approved') continue;
    if (last) classifiers.push(last);
  }
  const d: DeclaredLicenses = { classifiers, files: all(h, 'License-File') };
  const expression = first(h, 'License-Expression');
  if (expression) d.expression = expression;
  const license = first(h, 'License');
  if (license) d.license = license;
  return d;
}

/** Names of files in a metadata directory that are license texts by convention. */
export const LICENSE_FILE_NAME = /^(LICEN[CS]E|COPYING)([._-].*)?$/i;

/**
 * The package's licenses, most authoritative source first:
 *  1. License-Expression (PEP 639: the one field meant to be SPDX);
 *  2. the License field, when it names a license (not UNKNOWN); a whole license text pasted
 *     there is recognised by its wording, or kept by its first line;
 *  3. the license files of the metadata directory, recognised by their wording;
 *  4. the License classifiers.
 * `readFile` returns the text of a file relative to the metadata directory, when captured.
 */
export function chooseLicenses(d: DeclaredLicenses, metadataDir: string | undefined, readFile: (path: string) => string | undefined, siblings: string[]): License[] {
  if (d.expression) {
    const l = normaliseLicense(d.expression);
    if (l.length) return l;
  }
  if (d.license && normaliseLicense(d.license).length) {
    const text = d.license;
    if (text.includes('\n') || text.length > 200) {
      const detected = detectLicenseText(text);
      if (detected) return [{ spdx: detected }];
      const l = normaliseLicense(text.split('\n')[0].slice(0, 200));
      if (l.length) return l;
    } else {
      return normaliseLicense(text);
    }
  }
  if (metadataDir !== undefined) {
    const candidates = d.files.length ? d.files : siblings.filter((n) => LICENSE_FILE_NAME.test(n));
    const found = new Set<string>();
    for (const rel of candidates) {
      // PEP 639 puts them under licenses/; older wheels put them beside METADATA.
      const text = readFile(posix.normalize(posix.join(metadataDir, 'licenses', rel))) ?? readFile(posix.normalize(posix.join(metadataDir, rel)));
      const id = text === undefined ? undefined : detectLicenseText(text);
      if (id) found.add(id);
    }
    if (found.size) return [...found].sort().map((spdx) => ({ spdx }));
  }
  return normaliseLicenses(d.classifiers);
}
