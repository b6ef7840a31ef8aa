/**
 * NVD CVE API 2.0 records (https://nvd.nist.gov/developers/vulnerabilities) as advisories.
 *
 * NVD names no packages a scanner can match (its CPE configurations are vendor/product names),
 * so an NVD advisory has no `affected` entries. It is kept for what it adds to other sources'
 * findings of the same CVE: CVSS vectors (the severity of a finding no other source rates, see
 * match/severity.ts 'nvd'), CWE ids, references and the description. The API's pages
 * (`{format: 'NVD_CVE', vulnerabilities: [{cve}]}`) and NVD's JSON 2.0 feed files have the
 * same shape.
 *
 * From each `cve`:
 * - `id`, `published`, `lastModified` (NVD writes UTC without a zone: 'Z' is added);
 * - CVSS: per version (4.0, 3.1, 3.0, 2) the vector of NVD's own ("Primary") metric, else the
 *   first one given; the first of these versions also gives `database_specific.severity`;
 * - CWE ids (`weaknesses`), NVD's own first; 'NVD-CWE-Other'/'NVD-CWE-noinfo' are no CWE;
 * - references, once per URL, typed from NVD's tags (Patch → FIX, Exploit → EVIDENCE, …);
 * - `vulnStatus` 'Rejected' marks the record withdrawn.
 */
import type { Advisory } from '../model.js';
import { validateOsvRecord } from '../validate.js';
import type { ImportReport } from './report.js';

const CVE_ID = /^CVE-\d{4}-\d{4,19}$/;

/** Metric keys in order of preference, with the OSV severity type they become. */
const METRICS = [
  ['cvssMetricV40', 'CVSS_V4'],
  ['cvssMetricV31', 'CVSS_V3'],
  ['cvssMetricV30', 'CVSS_V3'],
  ['cvssMetricV2', 'CVSS_V2'],
] as const;

const REFERENCE_TYPES: [string, string][] = [
  ['Patch', 'FIX'],
  ['Exploit', 'EVIDENCE'],
  ['Vendor Advisory', 'ADVISORY'],
  ['Third Party Advisory', 'ADVISORY'],
  ['Issue Tracking', 'REPORT'],
  ['Mailing List', 'DISCUSSION'],
  ['Release Notes', 'WEB'],
];

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** NVD's '2023-10-03T18:15:10.463' is UTC; a time that already has a zone is kept. */
export function nvdTime(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  return /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
}

/** The metric NVD itself gave (type Primary), else the first. */
function chosenMetric(list: unknown[]): Json | undefined {
  const metrics = list.map(obj).filter((m): m is Json => !!m && !!obj(m.cvssData));
  return metrics.find((m) => m.type === 'Primary') ?? metrics[0];
}

/** One NVD `cve` object as the OSV-shaped value the validator takes; undefined when it is no CVE record. */
export function nvdRecord(cve: unknown): Json | undefined {
  const c = obj(cve);
  const id = str(c?.id);
  if (!c || !id) return undefined;
  const metrics = obj(c.metrics) ?? {};
  const severity: { type: string; score: string }[] = [];
  let label: string | undefined;
  const seen = new Set<string>();
  for (const [key, type] of METRICS) {
    const m = chosenMetric(arr(metrics[key]));
    const data = obj(m?.cvssData);
    const vector = str(data?.vectorString);
    // 3.1 and 3.0 are both CVSS_V3: the newer one only.
    if (!vector || seen.has(type)) continue;
    seen.add(type);
    severity.push({ type, score: vector });
    label ??= str(data?.baseSeverity) ?? str(m?.baseSeverity);
  }
  const weaknesses = arr(c.weaknesses).map(obj).filter((w): w is Json => !!w);
  weaknesses.sort((a, b) => Number(b.type === 'Primary') - Number(a.type === 'Primary'));
  const cwes = [...new Set(weaknesses.flatMap((w) => arr(w.description).map((d) => str(obj(d)?.value)).filter((v): v is string => !!v && /^CWE-\d+$/.test(v))))];
  const references = new Map<string, string>();
  for (const r of arr(c.references).map(obj)) {
    const url = str(r?.url);
    if (!url || references.has(url)) continue;
    const tags = arr(r?.tags).filter((t): t is string => typeof t === 'string');
    references.set(url, REFERENCE_TYPES.find(([tag]) => tags.includes(tag))?.[1] ?? 'WEB');
  }
  const english = arr(c.descriptions).map(obj).find((d) => d?.lang === 'en');
  const modified = nvdTime(c.lastModified);
  const published = nvdTime(c.published);
  const status = str(c.vulnStatus);
  return {
    id,
    modified,
    ...(published ? { published } : {}),
    ...(status === 'Rejected' && modified ? { withdrawn: modified } : {}),
    aliases: [],
    ...(str(english?.value) ? { details: str(english?.value) } : {}),
    severity,
    affected: [],
    references: [...references].map(([url, type]) => ({ type, url })),
    database_specific: {
      ...(label ? { severity: label.toUpperCase() } : {}),
      ...(cwes.length ? { cwe_ids: cwes } : {}),
      ...(status ? { nvd_status: status } : {}),
    },
  };
}

/** Every record of one API page (or feed file), validated; bad ones are skipped and reported. */
export function* nvdFromPage(doc: unknown, source: string, report: ImportReport, where: string): Generator<Advisory> {
  const page = obj(doc);
  if (!page || !Array.isArray(page.vulnerabilities)) {
    report.seen++;
    report.skip(where, 'not-nvd', 'not an NVD CVE API 2.0 document (no "vulnerabilities" list)');
    return;
  }
  for (const [i, item] of page.vulnerabilities.entries()) {
    report.seen++;
    const raw = nvdRecord(obj(item)?.cve);
    const id = str(raw?.id);
    if (!raw || !id || !CVE_ID.test(id)) {
      report.skip(`${where} vulnerabilities[${i}]`, 'not-a-cve', `no CVE id${id ? `: ${id.slice(0, 40)}` : ''}`, id);
      continue;
    }
    const v = validateOsvRecord(raw, source);
    if (!v.ok) {
      report.skip(`${where} ${id}`, v.reason, v.detail, id);
      continue;
    }
    report.accepted++;
    yield v.advisory;
  }
}

/** Paging facts of an API answer: where the next page starts, and how many there are in all. */
export function nvdPaging(doc: unknown): { startIndex: number; resultsPerPage: number; totalResults: number } | undefined {
  const p = obj(doc);
  const n = (k: string) => (typeof p?.[k] === 'number' && Number.isSafeInteger(p[k]) && (p[k] as number) >= 0 ? (p[k] as number) : undefined);
  const startIndex = n('startIndex');
  const resultsPerPage = n('resultsPerPage');
  const totalResults = n('totalResults');
  if (startIndex === undefined || resultsPerPage === undefined || totalResults === undefined) return undefined;
  return { startIndex, resultsPerPage, totalResults };
}
