/**
 * Alpine secdb (secdb.alpinelinux.org), one document per line:
 *   {"distroversion": "v3.20", "reponame": "main", "packages": [{"pkg": {"name", "secfixes": {"<fixed apk version>": ["CVE-…", …]}}}]}
 * becomes one OSV-shaped record per (issue id, branch, package), id
 * ALPINE-SECDB-<issue>-<branch>-<package>, ecosystem 'Alpine:<branch>', range introduced 0 → fixed.
 *
 * A secfixes key "0" means the branch was never affected: counted as not affected, no record.
 * Issue lists are free text written by hand; tokens that do not look like an advisory id
 * ('(BGP)', 'CVE-????-?????') are ignored and counted.
 */
import type { Advisory, AffectedRange } from '../model.js';
import { lines } from './input.js';
import type { ImportReport } from './report.js';

const BRANCH = /^(v\d{1,2}\.\d{1,3}|edge)$/;
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,199}$/;
const APK_VERSION = /^[A-Za-z0-9._+~-]{1,128}$/;
// CVE-2024-1234, XSA-201, GHSA-xxxx-xxxx-xxxx, GNUTLS-SA-2020-03-31, ZDI-CAN-22093 ...
const ISSUE_ID = /^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$/;

export interface AlpineSecdbOptions {
  /** secdb has no timestamps: `modified` of every record (the snapshot's time). */
  modified: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Records from one parsed secdb document. */
export function* alpineSecdbDocument(doc: unknown, where: string, source: string, report: ImportReport, opts: AlpineSecdbOptions): Generator<Advisory> {
  if (!isObject(doc) || !Array.isArray(doc.packages)) {
    report.seen++;
    report.skip(where, 'bad-document', 'not a secdb document (no packages array)');
    return;
  }
  const branch = doc.distroversion;
  if (typeof branch !== 'string' || !BRANCH.test(branch)) {
    report.seen++;
    report.skip(where, 'bad-branch', `distroversion ${JSON.stringify(branch)?.slice(0, 40)} is not vX.Y or edge`);
    return;
  }
  const ecosystem = `Alpine:${branch}`;
  // Collected per document so an id listed under several fixed versions becomes one record.
  const records = new Map<string, Advisory>();
  for (let i = 0; i < doc.packages.length; i++) {
    report.seen++;
    const entry = doc.packages[i];
    const pkg = isObject(entry) ? entry.pkg : undefined;
    const pwhere = `${where} packages[${i}]`;
    if (!isObject(pkg) || typeof pkg.name !== 'string' || !PACKAGE_NAME.test(pkg.name)) {
      report.skip(pwhere, 'bad-package', 'entry has no valid pkg.name');
      continue;
    }
    const name = pkg.name;
    if (pkg.secfixes === undefined || pkg.secfixes === null) continue;
    if (!isObject(pkg.secfixes)) {
      report.skip(`${pwhere} ${name}`, 'bad-field', 'secfixes is not an object');
      continue;
    }
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      if (!APK_VERSION.test(version)) {
        report.skip(`${pwhere} ${name}`, 'bad-version', `fixed version ${JSON.stringify(version.slice(0, 40))} is not an apk version`);
        continue;
      }
      if (ids === null) continue;
      if (!Array.isArray(ids)) {
        report.skip(`${pwhere} ${name}`, 'bad-field', `secfixes[${version}] is not a list`);
        continue;
      }
      for (const text of ids) {
        if (typeof text !== 'string') {
          report.note('ignored-non-string-issue');
          continue;
        }
        for (const token of text.split(/\s+/).filter(Boolean)) {
          if (token.length > 100 || !ISSUE_ID.test(token)) {
            report.note('ignored-issue-token');
            continue;
          }
          if (version === '0') {
            report.notAffected++;
            continue;
          }
          const id = `ALPINE-SECDB-${token}-${branch}-${name}`;
          const range: AffectedRange = { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] };
          const existing = records.get(id);
          if (existing) {
            // Listed as fixed in two versions (a regression, a re-fix): one range per fix, so
            // a version counts as fixed only past the later one.
            const a = existing.affected[0];
            if (!a.ranges.some((r) => r.events.some((e) => 'fixed' in e && e.fixed === version))) a.ranges.push(range);
            continue;
          }
          records.set(id, {
            id,
            source,
            modified: opts.modified,
            aliases: [token],
            related: [],
            upstream: [],
            severity: [],
            affected: [{
              package: { ecosystem, name, purl: `pkg:apk/alpine/${encodeURIComponent(name)}` },
              ranges: [range],
              versions: [],
              ...(typeof doc.reponame === 'string' ? { database_specific: { repo: doc.reponame.slice(0, 40) } } : {}),
            }],
            references: [],
          });
        }
      }
    }
  }
  for (const adv of records.values()) {
    report.accepted++;
    yield adv;
  }
}

/** A secdb JSON-lines stream (gzipped or not; decode first with decodedChunks). */
export async function* alpineSecdbFromLines(chunks: AsyncIterable<Buffer>, source: string, report: ImportReport, opts: AlpineSecdbOptions): AsyncGenerator<Advisory> {
  for await (const line of lines(chunks)) {
    const where = `line ${line.no}`;
    if (line.tooLong) {
      report.seen++;
      report.skip(where, 'too-large', 'secdb document line too long');
      continue;
    }
    if (line.text.trim() === '') continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line.text);
    } catch (err) {
      report.seen++;
      report.skip(where, 'malformed-json', err instanceof Error ? err.message.slice(0, 200) : 'unparseable');
      continue;
    }
    yield* alpineSecdbDocument(doc, where, source, report, opts);
  }
}
