/**
 * License text found in Java archives. Names from pom.xml go through the shared normaliser
 * (see pom.ts); Bundle-License values are often a URL or an SPDX id, which we recognise.
 */
import { createRequire } from 'node:module';
import type { License } from '../../sbom/model.js';

const require = createRequire(import.meta.url);
const SPDX = new Set<string>(require('spdx-license-ids/index.json') as string[]);

/** Well-known license URLs (scheme and trailing extension ignored) to their SPDX id. */
const URL_TO_SPDX: Record<string, string> = {
  'www.apache.org/licenses/license-2.0': 'Apache-2.0',
  'apache.org/licenses/license-2.0': 'Apache-2.0',
  'opensource.org/licenses/apache-2.0': 'Apache-2.0',
  'opensource.org/licenses/mit': 'MIT',
  'opensource.org/licenses/mit-license': 'MIT',
  'www.opensource.org/licenses/mit-license': 'MIT',
  'www.eclipse.org/legal/epl-v10': 'EPL-1.0',
  'www.eclipse.org/legal/epl-2.0': 'EPL-2.0',
  'www.eclipse.org/legal/epl-v20': 'EPL-2.0',
  'www.gnu.org/licenses/lgpl-2.1': 'LGPL-2.1-only',
  'www.gnu.org/licenses/lgpl-3.0': 'LGPL-3.0-only',
  'www.gnu.org/licenses/gpl-2.0': 'GPL-2.0-only',
  'www.gnu.org/licenses/gpl-3.0': 'GPL-3.0-only',
  'opensource.org/licenses/bsd-3-clause': 'BSD-3-Clause',
  'opensource.org/licenses/bsd-2-clause': 'BSD-2-Clause',
  'www.mozilla.org/mpl/2.0': 'MPL-2.0',
};

function urlKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '')
    .replace(/\.(txt|html?|php)$/, '');
}

/** One license string: an SPDX id, a known URL, or kept as a name. */
export function licenseFromText(text: string): License | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (SPDX.has(t)) return { spdx: t };
  const fromUrl = URL_TO_SPDX[urlKey(t)];
  if (fromUrl) return { spdx: fromUrl };
  return { name: t };
}

/** Split an OSGi Bundle-License header: comma-separated clauses, each `name;attr=value`. */
export function bundleLicenses(header: string): License[] {
  const out: License[] = [];
  let depth = 0;
  let cur = '';
  const clauses: string[] = [];
  for (const ch of header) {
    if (ch === '"') depth ^= 1;
    if (ch === ',' && depth === 0) {
      clauses.push(cur);
      cur = '';
    } else cur += ch;
  }
  clauses.push(cur);
  for (const c of clauses) {
    const name = c.split(';')[0].replace(/"/g, '');
    const lic = licenseFromText(name);
    if (lic) out.push(lic);
  }
  return out;
}
