/**
 * `scout policy` on real images: a well-built one (non-root, provenance naming an official base
 * image and an SBOM attestation, no secret, no vulnerable or copyleft package) passes every
 * built-in policy it can judge; a badly built one (root, a key in a layer a later layer deleted,
 * an AGPL package, no attestations) and the demo image (vulnerable, KEV-listed packages) fail
 * them, each with its violations and fix; parameters and custom CEL policies from a config file;
 * exit codes for CI; the health score; quickview shows both.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { attestationManifest, attestedIndex, provenanceV02, spdxStatement, subjectOf, writeAttestedLayout } from '../helpers/attestation-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO, importedCache } from '../report/helpers.js';

const env = { SCOUT_CACHE_DIR: importedCache() };
const GH = 'ghp_' + randomBytes(27).toString('base64').replace(/[+/=]/g, 'x').slice(0, 36);

interface Result {
  id: string;
  status: string;
  violations: { subject: string; detail: string; fix?: string }[];
  reason?: string;
  fix: string;
}
interface Report {
  results: Result[];
  health: { grade: string | null; score: number | null; passed: number; failed: number; unknown: number };
}

let good: string;
let bad: string;
const dir = tempDir();

before(async () => {
  const image = await buildImage({
    user: 'app',
    layers: [
      {
        'lib/apk/db/installed': 'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nT:the musl c library\n\n',
        'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n',
        'app/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
      },
    ],
  });
  const att = attestationManifest([
    { content: provenanceV02(subjectOf(image)), predicateType: 'https://slsa.dev/provenance/v0.2' },
    { content: spdxStatement(subjectOf(image), [{ name: 'musl', version: '1.2.5-r0', purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0' }]), predicateType: 'https://spdx.dev/Document' },
  ]);
  good = join(dir, 'good');
  writeAttestedLayout(good, attestedIndex([{ image, attestation: att }]), 'good');
  const worse = await buildImage({
    layers: [
      {
        'etc/os-release': 'ID=debian\nVERSION_ID=12\n',
        'app/.env': `GITHUB_TOKEN=${GH}\n`,
        'app/node_modules/ghostscript-js/package.json': JSON.stringify({ name: 'ghostscript-js', version: '2.0.0', license: 'AGPL-3.0-only' }),
        'app/node_modules/dual/package.json': JSON.stringify({ name: 'dual', version: '1.0.0', license: 'MIT OR AGPL-3.0-or-later' }),
      },
      { 'app/.env': { whiteout: true } },
    ],
  });
  bad = join(dir, 'bad');
  writeOciLayout(bad, [{ images: [worse], refName: 'bad' }]);
});

function policy(args: string[], extraEnv: Record<string, string> = {}): { code: number; report: Report; stderr: string; stdout: string } {
  const r = scout(['policy', ...args, '--format', 'json'], { ...env, ...extraEnv });
  let report: Report = { results: [], health: { grade: null, score: null, passed: 0, failed: 0, unknown: 0 } };
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    assert.fail(`no JSON (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr, stdout: r.stdout };
}

const statuses = (r: Report) => Object.fromEntries(r.results.map((x) => [x.id, x.status]));
const byId = (r: Report, id: string) => r.results.find((x) => x.id === id)!;

test('a well-built image passes every built-in policy it can judge; grade A; exit 0 with --exit-code', () => {
  const r = policy([`oci-dir://${good}`, '--exit-code']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(statuses(r.report), {
    'no-fixable-critical-high': 'pass',
    'no-high-profile-vulnerabilities': 'pass',
    'no-secrets': 'pass',
    // Whether alpine:3.20's tag moved on needs the stored images of a server.
    'up-to-date-base-image': 'unknown',
    'supply-chain-attestations': 'pass',
    'non-root-user': 'pass',
    'no-copyleft-licenses': 'pass',
    'approved-base-images': 'pass',
  });
  assert.match(byId(r.report, 'up-to-date-base-image').reason ?? '', /alpine:3\.20.*--server/);
  assert.equal(r.report.health.grade, 'A');
  assert.equal(r.report.health.score, 100);
  assert.deepEqual([r.report.health.passed, r.report.health.failed, r.report.health.unknown], [7, 0, 1]);
});

test('a badly built image fails: root user, a secret in a deleted file, AGPL (not when MIT may be chosen), no attestations', () => {
  const r = policy([`oci-dir://${bad}`, '--exit-code']);
  assert.equal(r.code, 2, r.stderr);
  const s = statuses(r.report);
  assert.equal(s['non-root-user'], 'fail');
  assert.equal(s['no-secrets'], 'fail');
  assert.equal(s['no-copyleft-licenses'], 'fail');
  assert.equal(s['supply-chain-attestations'], 'fail');
  assert.equal(s['approved-base-images'], 'unknown');
  assert.deepEqual(byId(r.report, 'no-secrets').violations, [{ subject: '/app/.env', detail: 'github-token (critical) in layer 0, deleted by a later layer but still in the image' }]);
  assert.deepEqual(byId(r.report, 'no-copyleft-licenses').violations, [{ subject: 'pkg:npm/ghostscript-js@2.0.0', detail: 'licensed AGPL-3.0-only' }]);
  assert.deepEqual(byId(r.report, 'non-root-user').violations, [{ subject: 'image', detail: 'no USER is set, so containers run as root' }]);
  assert.deepEqual(byId(r.report, 'supply-chain-attestations').violations.map((v) => v.detail), ['no SLSA provenance attestation', 'no SBOM attestation']);
  // The secret is never in the report, in full.
  assert.ok(!r.stdout.includes(GH));
  // Weighted: passes 5+5 (vulnerabilities) of 5+5+5+2+2+2 judged.
  assert.equal(r.report.health.score, 47.6);
  assert.equal(r.report.health.grade, 'E');
  // Text: each failing policy with its violations and fix.
  const text = scout(['policy', `oci-dir://${bad}`], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /✗ FAIL +Default non-root user +\[non-root-user\]/);
  assert.match(text.stdout, /fix: Add a USER instruction/);
  assert.match(text.stdout, /^Health score: E \(47\.6% of the weighted policies pass; 2 passed, 4 failed, 2 unknown\)$/m);
});

test('the demo image fails the vulnerability policies with the fix version of each; the grace period and severities are parameters', () => {
  const r = policy([DEMO]);
  const fixable = byId(r.report, 'no-fixable-critical-high');
  assert.equal(fixable.status, 'fail');
  const curl = fixable.violations.find((v) => v.subject.startsWith('CVE-2023-38545 in pkg:deb/debian/curl@'));
  assert.equal(curl?.fix, 'update curl to 7.88.1-10+deb12u4');
  const hp = byId(r.report, 'no-high-profile-vulnerabilities');
  assert.equal(hp.status, 'fail');
  assert.ok(hp.violations.some((v) => v.subject.startsWith('CVE-2023-4911 ') && /CISA KEV/.test(v.detail)));
  // Only critical ones, published at least 100 years ago: none.
  const cfg = join(dir, 'grace.yaml');
  writeFileSync(cfg, 'policies:\n  no-fixable-critical-high:\n    severities: [critical]\n    ageDays: 36500\n  no-high-profile-vulnerabilities:\n    cves: [CVE-2014-0160]\n    kev: false\n');
  const g = policy([DEMO, '--policy-file', cfg]);
  assert.equal(byId(g.report, 'no-fixable-critical-high').status, 'pass');
  assert.equal(byId(g.report, 'no-high-profile-vulnerabilities').status, 'pass');
  const critical = policy([DEMO, '--policy-file', cfg], {});
  assert.equal(critical.code, 0);
});

test('fixableOnly and packageTypes choose the vulnerabilities that count; a listed CVE fails without KEV; ignorePackages exempts a copyleft package', () => {
  // What the policy should count, worked out from the findings of `scout cves` on the same image.
  const cves = scout(['cves', DEMO, '--format', 'json'], env);
  assert.equal(cves.code, 0, cves.stderr);
  const findings = (JSON.parse(cves.stdout) as { findings: { id: string; package: { purl: string; type: string }; severity: { level: string }; fixedVersions: string[]; status: string }[] }).findings.filter((f) => f.status !== 'not-affected');
  const expected = (fixableOnly: boolean, types: string[]) =>
    [...new Set(findings.filter((f) => ['critical', 'high'].includes(f.severity.level) && (!fixableOnly || f.fixedVersions.length > 0) && (!types.length || types.includes(f.package.type))).map((f) => `${f.id} in ${f.package.purl}`))].sort();
  const subjects = (params: string) => {
    const cfg = join(dir, 'vuln-params.yaml');
    writeFileSync(cfg, `policies:\n  no-fixable-critical-high:\n${params}`);
    const r = byId(policy([DEMO, '--policy-file', cfg]).report, 'no-fixable-critical-high');
    return [...new Set(r.violations.map((v) => v.subject))].sort();
  };
  const defaults = subjects('    ageDays: 0\n');
  assert.deepEqual(defaults, expected(true, []));
  // The demo image has a critical vulnerability with no fix yet: counted only without fixableOnly.
  const all = subjects('    fixableOnly: false\n');
  assert.deepEqual(all, expected(false, []));
  assert.ok(all.length > defaults.length, 'an unfixed critical or high finding counts once fixableOnly is off');
  const npmOnly = subjects('    packageTypes: [npm]\n');
  assert.deepEqual(npmOnly, expected(true, ['npm']));
  assert.ok(npmOnly.length > 0 && npmOnly.every((s) => s.includes(' in pkg:npm/')));
  // A type the image has no vulnerable package of: nothing counts.
  const cargo = join(dir, 'cargo.yaml');
  writeFileSync(cargo, 'policies:\n  no-fixable-critical-high:\n    packageTypes: [cargo]\n');
  assert.equal(byId(policy([DEMO, '--policy-file', cargo]).report, 'no-fixable-critical-high').status, 'pass');

  // no-high-profile-vulnerabilities: the CVE list alone, without the KEV catalog, fails on a listed id.
  const listed = join(dir, 'listed.yaml');
  writeFileSync(listed, 'policies:\n  no-high-profile-vulnerabilities:\n    cves: [CVE-2023-38545]\n    kev: false\n');
  const hp = byId(policy([DEMO, '--policy-file', listed]).report, 'no-high-profile-vulnerabilities');
  assert.equal(hp.status, 'fail');
  assert.deepEqual([...new Set(hp.violations.map((v) => v.subject.split(' ')[0]))], ['CVE-2023-38545']);

  const ignore = join(dir, 'ignore.yaml');
  writeFileSync(ignore, 'policies:\n  no-copyleft-licenses:\n    ignorePackages: [ghostscript-*]\n');
  assert.equal(byId(policy([`oci-dir://${bad}`, '--policy-file', ignore]).report, 'no-copyleft-licenses').status, 'pass');
  writeFileSync(ignore, 'policies:\n  no-copyleft-licenses:\n    ignorePackages: ["pkg:npm/other@*"]\n');
  assert.equal(byId(policy([`oci-dir://${bad}`, '--policy-file', ignore]).report, 'no-copyleft-licenses').status, 'fail');
});

test('a config file: parameters change the verdict, a policy can be turned off, custom CEL policies pass and fail', () => {
  const cfg = join(dir, 'custom.yaml');
  writeFileSync(
    cfg,
    [
      'policies:',
      '  no-copyleft-licenses:',
      '    licenses: [WTFPL, GPL-2.0]',
      '  approved-base-images:',
      '    images: ["ghcr.io/example/**"]',
      '  up-to-date-base-image: false',
      'custom:',
      '  - id: no-npm',
      '    title: No npm packages',
      '    weight: 4',
      '    expression: |',
      '      packages.filter(p, p.type == "npm")',
      '        .map(p, {"subject": p.purl, "detail": "npm package " + p.name})',
      '    fix: Ship the bundle, not node_modules.',
      '  - id: vcs-known',
      '    title: Built from a known commit',
      '    expression: provenance != null && provenance.vcs.revision != null',
    ].join('\n'),
  );
  const r = policy([`oci-dir://${good}`, '--policy-file', cfg, '-e']);
  assert.equal(r.code, 2, r.stderr);
  const s = statuses(r.report);
  assert.equal(s['up-to-date-base-image'], undefined);
  assert.equal(s['no-copyleft-licenses'], 'fail');
  assert.deepEqual(byId(r.report, 'no-copyleft-licenses').violations, [{ subject: 'pkg:npm/left-pad@1.3.0', detail: 'licensed WTFPL' }]);
  assert.equal(s['approved-base-images'], 'fail');
  assert.match(byId(r.report, 'approved-base-images').violations[0].detail, /docker\.io\/library\/alpine is not among the approved base images/);
  assert.equal(s['no-npm'], 'fail');
  assert.deepEqual(byId(r.report, 'no-npm').violations, [{ subject: 'pkg:npm/left-pad@1.3.0', detail: 'npm package left-pad' }]);
  assert.equal(byId(r.report, 'no-npm').fix, 'Ship the bundle, not node_modules.');
  assert.equal(s['vcs-known'], 'pass');
  // The same file from the environment, as every flag can be.
  assert.equal(statuses(policy([`oci-dir://${good}`], { SCOUT_POLICY_FILE: cfg }).report)['no-npm'], 'fail');
  // The bad image has no provenance: the same expression fails it.
  assert.equal(statuses(policy([`oci-dir://${bad}`, '--policy-file', cfg]).report)['vcs-known'], 'fail');
});

test('policy file mistakes: a CEL syntax error names the file line, unknown names get the closest one', () => {
  const cases: [string, RegExp][] = [
    ['custom:\n  - id: broken\n    title: Broken\n    expression: |\n      packages.exists(p,\n        p.name == "curl" &&)\n', /broken\.yaml:6: custom policy broken: the CEL expression does not compile: .*\n.*p\.name == "curl" &&\)/],
    ['custom:\n  - id: typo\n    title: Typo\n    expression: pakages.size() > 0\n', /broken\.yaml:4: custom policy typo: Unknown variable: pakages \(the variables are image, packages, vulnerabilities, secrets, attestations, provenance, baseImage\)/],
    ['policies:\n  no-copyleft-license: {}\n', /broken\.yaml:2: unknown built-in policy "no-copyleft-license" \(did you mean no-copyleft-licenses\?\)/],
    ['policies:\n  no-fixable-critical-high:\n    agedays: 3\n', /broken\.yaml:3: no-fixable-critical-high: unknown parameter "agedays" \(did you mean ageDays\?\)/],
    ['policies:\n  no-fixable-critical-high:\n    severities: critical\n', /broken\.yaml:3: no-fixable-critical-high\.severities must be a list of strings/],
    ['custom:\n  - id: x\n    expression: "true"\n', /broken\.yaml:2: custom policy x: "title" is missing/],
  ];
  const file = join(dir, 'broken.yaml');
  for (const [text, want] of cases) {
    writeFileSync(file, text);
    const r = scout(['policy', DEMO, '--policy-file', file], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, want);
  }
});

test('a custom policy that fails while running is an error, and --exit-code fails on it', () => {
  const cfg = join(dir, 'runtime.yaml');
  writeFileSync(cfg, 'custom:\n  - id: label\n    title: Has an owner label\n    expression: image.labels["org.example.owner"] != ""\n');
  const r = policy([`oci-dir://${good}`, '--policy-file', cfg, '--exit-code']);
  assert.equal(r.code, 2);
  const res = byId(r.report, 'label');
  assert.equal(res.status, 'error');
  assert.match(res.reason ?? '', /No such key: org\.example\.owner/);
});

test('quickview shows each policy status and the health score', () => {
  const r = scout(['quickview', `oci-dir://${bad}`], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FAIL +Default non-root user +1$/m);
  assert.match(r.stdout, /^FAIL +No leaked secrets +1$/m);
  assert.match(r.stdout, /^Health score: E \(47\.6%/m);
  const j = JSON.parse(scout(['quickview', `oci-dir://${good}`, '--format', 'json'], env).stdout) as { policies: { health: { grade: string }; results: { id: string; status: string }[] } };
  assert.equal(j.policies.health.grade, 'A');
  assert.equal(j.policies.results.length, 8);
});
