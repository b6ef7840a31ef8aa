import type { License } from '../../../src/sbom/model.js';

/** Every license id or name a list mentions (expressions flattened): peers list ids one by one. */
export function licenseTerms(ls: License[]): string[] {
  const out = new Set<string>();
  for (const l of ls) {
    if (l.spdx) {
      for (const t of l.spdx.split(/\s+(?:AND|OR|WITH)\s+|[()]/)) if (t.trim()) out.add(t.trim());
    } else if (l.name) out.add(l.name);
  }
  return [...out];
}
