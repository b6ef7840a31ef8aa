/**
 * Who published an advisory, as reports name a vulnerability's or a rating's source: GitHub
 * for GHSA records, the distribution for its own (Debian, Ubuntu, Alpine…), NVD for records of
 * an NVD-derived feed, the ecosystem's database for PYSEC, GO, RUSTSEC ids, else OSV.
 */
export interface AdvisorySource {
  name: string;
  url: string;
}

export function advisorySource(id: string, feed = ''): AdvisorySource {
  const enc = encodeURIComponent(id);
  const cve = /CVE-\d{4}-\d+/.exec(id)?.[0];
  if (/^GHSA-/i.test(id)) return { name: 'GitHub', url: `https://github.com/advisories/${enc}` };
  if (/nvd/i.test(feed) || (/^CVE-/.test(id) && !feed)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${cve ?? enc}` };
  if (/^(DEBIAN-|DSA-|DLA-|DTSA-)/i.test(id) || /debian/i.test(feed)) return { name: 'Debian', url: `https://security-tracker.debian.org/tracker/${cve ?? enc}` };
  if (/^(UBUNTU-|USN-)/i.test(id) || /ubuntu/i.test(feed)) return { name: 'Ubuntu', url: `https://ubuntu.com/security/${cve ?? enc}` };
  if (/^ALPINE-/i.test(id) || /alpine/i.test(feed)) return { name: 'Alpine', url: `https://security.alpinelinux.org/vuln/${cve ?? enc}` };
  if (/^PYSEC-/i.test(id)) return { name: 'PyPA', url: `https://osv.dev/vulnerability/${enc}` };
  if (/^GO-/i.test(id)) return { name: 'Go', url: `https://pkg.go.dev/vuln/${enc}` };
  if (/^RUSTSEC-/i.test(id)) return { name: 'RustSec', url: `https://rustsec.org/advisories/${enc}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${enc}` };
}

/** The advisory that decided a finding (its feed is the finding's data source), else the first. */
export function decidingAdvisory(f: { advisories: { id: string; source: string }[]; dataSource: { name: string } }): { id: string; source: string } | undefined {
  return f.advisories.find((a) => a.source === f.dataSource.name) ?? f.advisories[0];
}

/** The source of a finding's severity: the record its `from` names, else by the kind of source. */
export function ratingSource(sev: { source: string; from?: string }): AdvisorySource | undefined {
  if (sev.source === 'none') return undefined;
  const id = sev.from?.split(' ')[0];
  if (id) return advisorySource(id, sev.source === 'nvd' ? 'nvd' : '');
  return undefined;
}
