/**
 * Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 *   {"<source pkg>": {"CVE-…": {"description", "scope", "debianbug",
 *     "releases": {"bookworm": {"status", "repositories", "fixed_version", "urgency", "nodsa", "nodsa_reason"}}}}}
 * becomes one OSV-shaped record per CVE (id DEBIAN-<CVE>, as Debian's own OSV export names them),
 * with one affected entry per (source package, release) in ecosystem 'Debian:<number>'.
 *
 * - status 'resolved' + fixed_version V → range introduced 0, fixed V.
 * - status 'resolved' + fixed_version '0' → the release never had the flaw: no entry (counted
 *   as not affected).
 * - status 'open' / 'undetermined' → range introduced 0 with no fix.
 * The tracker's triage (urgency, no-dsa and its reason, postponed, unimportant, end-of-life) is
 * kept in the entry's database_specific so the matcher can explain or filter it.
 */
import type { Advisory, Affected } from '../model.js';
import type { ImportReport } from './report.js';
import { appendAll } from '../../util/arrays.js';

/** Codename → release number. sid/experimental have no numbered OSV ecosystem. */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  jessie: '8', stretch: '9', buster: '10', bullseye: '11', bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]{0,199}$/;
const ISSUE_ID = /^(CVE-\d{4}-\d{4,}|TEMP-\d{7}-[0-9A-F]{6})$/;
const VERSION = /^[A-Za-z0-9.+:~-]{1,256}$/;
const STATUSES = new Set(['resolved', 'open', 'undetermined']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/** The triage words a user filters on, derived from the tracker's fields. */
function tags(urgency: string | undefined, nodsa: string | undefined, nodsaReason: string | undefined): string[] {
  const out: string[] = [];
  if (nodsa !== undefined) out.push('no-dsa');
  if (nodsaReason === 'postponed') out.push('postponed');
  if (nodsaReason === 'ignored') out.push('ignored');
  if (urgency?.startsWith('unimportant')) out.push('unimportant');
  if (urgency === 'end-of-life') out.push('end-of-life');
  return out;
}

export interface DebianTrackerOptions {
  /** The tracker JSON has no timestamps: `modified` of every record (the snapshot's time). */
  modified: string;
}

/** `doc` is the parsed tracker JSON. Records are yielded sorted by id. */
export function* debianTrackerRecords(doc: unknown, source: string, report: ImportReport, opts: DebianTrackerOptions): Generator<Advisory> {
  if (!isObject(doc)) {
    report.seen++;
    report.skip('document', 'bad-document', 'tracker JSON is not an object of source packages');
    return;
  }
  const byIssue = new Map<string, Advisory>();
  for (const [pkg, issues] of Object.entries(doc)) {
    if (!PACKAGE_NAME.test(pkg)) {
      report.seen++;
      report.skip(pkg.slice(0, 80), 'bad-package-name', 'not a Debian source package name');
      continue;
    }
    if (!isObject(issues)) {
      report.seen++;
      report.skip(pkg, 'bad-field', 'package entry is not an object');
      continue;
    }
    for (const [issue, body] of Object.entries(issues)) {
      report.seen++;
      const where = `${pkg}/${issue.slice(0, 60)}`;
      if (!ISSUE_ID.test(issue)) {
        report.skip(where, 'bad-id', 'issue key is not a CVE or TEMP id');
        continue;
      }
      if (!isObject(body) || !isObject(body.releases)) {
        report.skip(where, 'bad-field', 'issue has no releases object');
        continue;
      }
      const entries: Affected[] = [];
      let bad: string | undefined;
      for (const [codename, rel] of Object.entries(body.releases)) {
        const number = DEBIAN_RELEASES[codename];
        if (number === undefined) {
          report.note(codename === 'sid' || codename === 'experimental' ? `release-without-ecosystem:${codename}` : 'unknown-release');
          continue;
        }
        if (!isObject(rel) || typeof rel.status !== 'string' || !STATUSES.has(rel.status)) {
          bad = `release ${codename} has no valid status`;
          break;
        }
        const fixed = rel.fixed_version;
        if (fixed !== undefined && (typeof fixed !== 'string' || !VERSION.test(fixed))) {
          bad = `release ${codename} fixed_version is not a version`;
          break;
        }
        if (rel.status === 'resolved' && (fixed === '0' || fixed === undefined)) {
          report.notAffected++;
          continue;
        }
        const urgency = optString(rel.urgency, 64);
        const nodsa = optString(rel.nodsa, 1024);
        const nodsaReason = optString(rel.nodsa_reason, 64);
        const ds: Record<string, unknown> = { status: rel.status, tags: tags(urgency, nodsa, nodsaReason) };
        if (urgency !== undefined) ds.urgency = urgency;
        if (nodsa !== undefined) ds.nodsa = nodsa;
        if (nodsaReason !== undefined) ds.nodsa_reason = nodsaReason;
        entries.push({
          package: { ecosystem: `Debian:${number}`, name: pkg, purl: `pkg:deb/debian/${pkg}?arch=source` },
          ranges: [{ type: 'ECOSYSTEM', events: rel.status === 'resolved' ? [{ introduced: '0' }, { fixed: fixed as string }] : [{ introduced: '0' }] }],
          versions: [],
          database_specific: ds,
        });
      }
      if (bad !== undefined) {
        report.skip(where, 'bad-release', bad);
        continue;
      }
      if (entries.length === 0) continue;
      const id = `DEBIAN-${issue}`;
      let adv = byIssue.get(id);
      if (!adv) {
        adv = {
          id,
          source,
          modified: opts.modified,
          aliases: [],
          related: [],
          upstream: issue.startsWith('CVE-') ? [issue] : [],
          severity: [],
          affected: [],
          references: [{ type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${issue}` }],
        };
        const description = optString(body.description, 64 * 1024);
        if (description) adv.details = description;
        const scope = optString(body.scope, 32);
        if (scope) adv.database_specific = { scope };
        byIssue.set(id, adv);
      }
      appendAll(adv.affected, entries);
    }
  }
  for (const id of [...byIssue.keys()].sort()) {
    report.accepted++;
    yield byIssue.get(id)!;
  }
}
