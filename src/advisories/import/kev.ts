/**
 * CISA Known Exploited Vulnerabilities catalog JSON:
 *   {"title", "catalogVersion", "dateReleased", "count", "vulnerabilities": [{"cveID", "dateAdded", "dueDate",
 *    "knownRansomwareCampaignUse": "Known" | "Unknown", "vendorProject", "product", ...}]}
 */
import type { KevEntry } from '../model.js';
import type { ImportReport } from './report.js';

const CVE = /^CVE-\d{4}-\d{4,}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface KevCatalog {
  catalogVersion?: string;
  dateReleased?: string;
  entries: KevEntry[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown, max = 4096): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;
}

/** `doc` is the parsed catalog. Bad entries are skipped; a bad catalog yields no entries. */
export function kevCatalog(doc: unknown, report: ImportReport): KevCatalog {
  if (!isObject(doc) || !Array.isArray(doc.vulnerabilities)) {
    report.seen++;
    report.skip('document', 'bad-document', 'not a KEV catalog (no vulnerabilities array)');
    return { entries: [] };
  }
  const entries: KevEntry[] = [];
  const seen = new Set<string>();
  doc.vulnerabilities.forEach((v: unknown, i: number) => {
    report.seen++;
    const where = `vulnerabilities[${i}]`;
    if (!isObject(v)) return report.skip(where, 'bad-entry', 'entry is not an object');
    if (typeof v.cveID !== 'string' || !CVE.test(v.cveID)) return report.skip(where, 'bad-id', 'cveID is not a CVE id');
    if (typeof v.dateAdded !== 'string' || !DATE.test(v.dateAdded)) return report.skip(where, 'bad-date', 'dateAdded is not YYYY-MM-DD', v.cveID);
    if (seen.has(v.cveID)) return report.skip(where, 'duplicate', 'CVE listed twice; first entry kept', v.cveID);
    seen.add(v.cveID);
    const e: KevEntry = { cve: v.cveID, dateAdded: v.dateAdded, cwes: [] };
    if (typeof v.dueDate === 'string' && DATE.test(v.dueDate)) e.dueDate = v.dueDate;
    if (v.knownRansomwareCampaignUse === 'Known') e.knownRansomwareUse = true;
    else if (v.knownRansomwareCampaignUse === 'Unknown') e.knownRansomwareUse = false;
    for (const k of ['vendorProject', 'product', 'vulnerabilityName', 'shortDescription', 'requiredAction', 'notes'] as const) {
      const t = text(v[k]);
      if (t !== undefined) e[k] = t;
    }
    if (Array.isArray(v.cwes)) e.cwes = v.cwes.filter((c): c is string => typeof c === 'string' && c.length < 32).slice(0, 50);
    report.accepted++;
    entries.push(e);
  });
  const out: KevCatalog = { entries };
  const cv = text(doc.catalogVersion, 64);
  if (cv !== undefined) out.catalogVersion = cv;
  const dr = text(doc.dateReleased, 64);
  if (dr !== undefined) out.dateReleased = dr;
  return out;
}
