/**
 * FIRST EPSS daily CSV (epss_scores-YYYY-MM-DD.csv[.gz]):
 *   #model_version:v2023.03.01,score_date:2024-05-01T00:00:00+0000
 *   cve,epss,percentile
 *   CVE-1999-0001,0.01025,0.83316
 * The comment line is optional (older files lack it); columns are found by the header names.
 */
import type { EpssScore } from '../model.js';
import { lines } from './input.js';
import type { ImportReport } from './report.js';

const CVE = /^CVE-\d{4}-\d{4,}$/;
// Digits, dot, exponent: Number() alone would also accept '', '0x1', 'Infinity'.
const NUMBER = /^[0-9.eE+-]{1,32}$/;

export interface EpssMeta {
  modelVersion?: string;
  /** YYYY-MM-DD */
  date?: string;
}

function parseComment(text: string): EpssMeta {
  const meta: EpssMeta = {};
  for (const part of text.replace(/^#/, '').split(',')) {
    const i = part.indexOf(':');
    if (i < 0) continue;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key === 'model_version' && /^[\w.-]{1,64}$/.test(value)) meta.modelVersion = value;
    if (key === 'score_date' && /^\d{4}-\d{2}-\d{2}/.test(value)) meta.date = value.slice(0, 10);
  }
  return meta;
}

function probability(s: string | undefined): number | undefined {
  if (s === undefined || !NUMBER.test(s.trim())) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

/** Scores from a decoded CSV stream; `meta` is filled in once the comment line is read. */
export async function* epssFromCsv(chunks: AsyncIterable<Buffer>, report: ImportReport, meta: EpssMeta = {}): AsyncGenerator<EpssScore> {
  let cols: { cve: number; epss: number; percentile: number } | undefined;
  for await (const line of lines(chunks, 64 * 1024)) {
    const where = `line ${line.no}`;
    if (line.tooLong) {
      report.seen++;
      report.skip(where, 'too-large', 'CSV line too long');
      continue;
    }
    const text = line.text.trim();
    if (text === '') continue;
    if (text.startsWith('#')) {
      Object.assign(meta, parseComment(text));
      continue;
    }
    const fields = text.split(',');
    if (!cols) {
      const lower = fields.map((f) => f.trim().toLowerCase());
      const c = { cve: lower.indexOf('cve'), epss: lower.indexOf('epss'), percentile: lower.indexOf('percentile') };
      if (c.cve < 0 || c.epss < 0 || c.percentile < 0) {
        report.seen++;
        report.skip(where, 'bad-header', 'expected a header with cve,epss,percentile');
        return;
      }
      cols = c;
      continue;
    }
    report.seen++;
    const cve = fields[cols.cve]?.trim();
    if (cve === undefined || !CVE.test(cve)) {
      report.skip(where, 'bad-id', 'cve column is not a CVE id');
      continue;
    }
    const score = probability(fields[cols.epss]);
    const percentile = probability(fields[cols.percentile]);
    if (score === undefined || percentile === undefined) {
      report.skip(where, 'bad-score', 'epss and percentile must be numbers between 0 and 1', cve);
      continue;
    }
    const s: EpssScore = { cve, score, percentile };
    if (meta.date !== undefined) s.date = meta.date;
    if (meta.modelVersion !== undefined) s.modelVersion = meta.modelVersion;
    report.accepted++;
    yield s;
  }
}
