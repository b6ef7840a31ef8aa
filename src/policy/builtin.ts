/**
 * The built-in policies, as users know them from Docker Scout: each with parameters (defaults
 * here, changed in a config file), a weight in the health score and how to fix a violation.
 */
import type { PolicyVulnerability } from './input.js';
import { licenseFamily, unavoidableLicenses } from './licenses.js';
import { globMatches, normaliseImageName, repositoryOf } from './image-names.js';
import type { BuiltinPolicy, Outcome, Violation } from './types.js';

/** Vulnerabilities Docker Scout calls high-profile: widely exploited, widely known. */
export const HIGH_PROFILE_CVES: readonly string[] = [
  'CVE-2014-0160', // Heartbleed (OpenSSL)
  'CVE-2021-44228', // Log4Shell
  'CVE-2021-45046', // Log4Shell, second fix
  'CVE-2022-42889', // Text4Shell (Commons Text)
  'CVE-2023-38545', // curl SOCKS5 heap overflow
  'CVE-2023-44487', // HTTP/2 Rapid Reset
  'CVE-2023-4911', // Looney Tunables (glibc)
  'CVE-2023-4863', // libwebp heap overflow
  'CVE-2024-3094', // xz / liblzma backdoor
  'CVE-2024-6387', // regreSSHion (OpenSSH)
];

/** The AGPL family by default: copyleft that reaches network use. Any SPDX ids may be listed. */
export const DEFAULT_COPYLEFT: readonly string[] = ['AGPL-1.0', 'AGPL-3.0'];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const outcome = (violations: Violation[]): Outcome => ({ status: violations.length ? 'fail' : 'pass', violations });

function fixOf(v: PolicyVulnerability): string | undefined {
  return v.fixedVersions.length ? `update ${v.package.name} to ${v.fixedVersions.join(' or ')}` : undefined;
}

function vulnViolation(v: PolicyVulnerability): Violation {
  const fix = fixOf(v);
  return { subject: `${v.id} in ${v.package.purl}`, detail: `${v.severity}${v.cvss !== null ? ` (CVSS ${v.cvss})` : ''}${v.kev ? ', known exploited (CISA KEV)' : ''}${v.fixable ? `, fixed in ${v.fixedVersions.join(', ')}` : ', no fix yet'}`, ...(fix ? { fix } : {}) };
}

function rootUser(user: string): boolean {
  const name = user.split(':')[0].trim();
  return name === '' || name === 'root' || name === '0';
}

export const BUILTIN_POLICIES: readonly BuiltinPolicy[] = [
  {
    id: 'no-fixable-critical-high',
    title: 'No fixable critical or high vulnerabilities',
    weight: 5,
    params: {
      severities: { type: 'string[]', default: ['critical', 'high'], doc: 'severities that count' },
      fixableOnly: { type: 'boolean', default: true, doc: 'only vulnerabilities with a fix version' },
      packageTypes: { type: 'string[]', default: [], doc: 'package (purl) types that count; empty: all' },
      ageDays: { type: 'number', default: 0, doc: 'grace period: only vulnerabilities published at least this many days ago' },
    },
    fix: 'Update the packages to the fixed versions (or rebuild on an updated base image).',
    evaluate(input, p, now) {
      const sev = new Set(strings(p.severities));
      const types = new Set(strings(p.packageTypes));
      const cutoff = now.getTime() - (p.ageDays as number) * 86_400_000;
      const hits = input.vulnerabilities.filter(
        (v) => !v.suppressed && sev.has(v.severity) && (!p.fixableOnly || v.fixable) && (!types.size || types.has(v.package.type)) && (v.published === null || Date.parse(v.published) <= cutoff),
      );
      return outcome(hits.map(vulnViolation));
    },
  },
  {
    id: 'no-high-profile-vulnerabilities',
    title: 'No high-profile vulnerabilities',
    weight: 5,
    params: {
      cves: { type: 'string[]', default: HIGH_PROFILE_CVES, doc: 'vulnerability ids that must not be present' },
      kev: { type: 'boolean', default: true, doc: 'also every vulnerability in the CISA Known Exploited Vulnerabilities catalog' },
    },
    fix: 'Update the named packages now: these vulnerabilities are known and exploited.',
    evaluate(input, p) {
      const ids = new Set(strings(p.cves).map((x) => x.toUpperCase()));
      return outcome(input.vulnerabilities.filter((v) => !v.suppressed && ((p.kev && v.kev) || v.ids.some((id) => ids.has(id.toUpperCase())))).map(vulnViolation));
    },
  },
  {
    id: 'no-secrets',
    title: 'No leaked secrets',
    weight: 5,
    params: { severities: { type: 'string[]', default: ['critical', 'high', 'medium', 'low'], doc: 'secret severities that count' } },
    fix: 'Remove the credential from every layer (deleting it in a later layer does not), rotate it, and pass secrets at run time or with build secrets (RUN --mount=type=secret).',
    evaluate(input, p) {
      if (!input.secrets) return { status: 'unknown', violations: [], reason: 'the layers were not searched for secrets' };
      const sev = new Set(strings(p.severities));
      return outcome(input.secrets.filter((s) => sev.has(s.severity)).map((s) => ({ subject: s.source === 'file' ? s.location : `${s.source} ${s.location}`, detail: `${s.rule} (${s.severity})${s.layer !== null ? ` in layer ${s.layer}` : ''}${s.deleted ? ', deleted by a later layer but still in the image' : ''}` })));
    },
  },
  {
    id: 'up-to-date-base-image',
    title: 'No outdated base image',
    weight: 3,
    params: {},
    fix: 'Rebuild on the current base image (docker build --pull).',
    evaluate(input) {
      const b = input.baseImage;
      if (!b) return { status: 'unknown', violations: [], reason: 'no base image known (no provenance attestation naming it, and no base image matched by layers)' };
      if (b.upToDate === null) return { status: 'unknown', violations: [], reason: `base image ${b.name}: whether its tag moved on is not known (give --server to compare with the stored images)` };
      return outcome(b.upToDate ? [] : [{ subject: `${b.name}${b.digest ? '@' + b.digest : ''}`, detail: 'no tag of its repository points at this digest any more: the base image was updated since', fix: `rebuild FROM the current ${b.name}` }]);
    },
  },
  {
    id: 'supply-chain-attestations',
    title: 'Supply chain attestations present',
    weight: 2,
    params: {
      provenance: { type: 'boolean', default: true, doc: 'require a SLSA provenance attestation' },
      sbom: { type: 'boolean', default: true, doc: 'require an SBOM attestation' },
    },
    fix: 'Build with attestations: docker buildx build --provenance=mode=max --sbom=true --push.',
    evaluate(input, p) {
      const a = input.attestations;
      if (!a) return { status: 'unknown', violations: [], reason: 'the attestations were not looked for (an SBOM file has none)' };
      const v: Violation[] = [];
      if (p.provenance && !a.provenance) v.push({ subject: 'image', detail: 'no SLSA provenance attestation' });
      if (p.sbom && !a.sbom) v.push({ subject: 'image', detail: 'no SBOM attestation' });
      return outcome(v);
    },
  },
  {
    id: 'non-root-user',
    title: 'Default non-root user',
    weight: 2,
    params: {},
    fix: 'Add a USER instruction with a non-root user in the final stage (USER 10001, or a named user).',
    evaluate(input) {
      if (!input.image.digest) return { status: 'unknown', violations: [], reason: 'no image config (an SBOM without image metadata)' };
      return outcome(rootUser(input.image.user) ? [{ subject: 'image', detail: input.image.user ? `the default user is ${input.image.user}` : 'no USER is set, so containers run as root' }] : []);
    },
  },
  {
    id: 'no-copyleft-licenses',
    title: 'No copyleft licenses',
    weight: 2,
    params: {
      licenses: { type: 'string[]', default: DEFAULT_COPYLEFT, doc: 'SPDX ids not allowed (a family id such as GPL-3.0 covers -only, -or-later and +)' },
      ignorePackages: { type: 'string[]', default: [], doc: 'package names or purls (a glob) exempted' },
    },
    fix: 'Replace or remove the packages, or list them in ignorePackages once their use is cleared.',
    evaluate(input, p) {
      const listed = new Set(strings(p.licenses).map(licenseFamily));
      const ignored = strings(p.ignorePackages);
      const v: Violation[] = [];
      for (const pkg of input.packages) {
        if (ignored.some((g) => globMatches(g, pkg.name) || globMatches(g, pkg.purl))) continue;
        const bad = unavoidableLicenses(pkg.licenses, listed);
        if (bad.length) v.push({ subject: pkg.purl, detail: `licensed ${bad.join(', ')}` });
      }
      return outcome(v);
    },
  },
  {
    id: 'approved-base-images',
    title: 'Approved base images',
    weight: 2,
    params: { images: { type: 'string[]', default: ['docker.io/library/*'], doc: 'globs of allowed base images (registry/repository; * stays within one path part, ** crosses them); default: Docker Official Images' } },
    fix: 'Build FROM an approved base image.',
    evaluate(input, p) {
      const b = input.baseImage;
      if (!b) return { status: 'unknown', violations: [], reason: 'no base image known (no provenance attestation naming it, and no base image matched by layers)' };
      const name = repositoryOf(b.name);
      const ok = strings(p.images).some((g) => globMatches(normaliseImageName(g).replace(/:[^/:*]+$/, ''), name));
      return outcome(ok ? [] : [{ subject: b.name, detail: `${name} is not among the approved base images (${strings(p.images).join(', ')})` }]);
    },
  },
];
