// `.scoutignore`: accepted vulnerabilities, per package, until a date, with a reason; reported as
// suppressed beside OpenVEX, not counted by --exit-code, and never silently wrong.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseIgnoreFile } from '../../src/match/ignore-file.js';
import { scoutInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, DEMO, type CvesJson } from '../report/helpers.js';

const env = { SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir() };
type IgnoredFinding = CvesJson['findings'][number] & { ids: string[]; suppressed?: { justification: string; ignored?: { file: string; line: number; reason?: string; expires?: string } } };

async function cves(cwd: string, args: string[] = []): Promise<{ code: number; json: { findings: IgnoredFinding[]; summary: { suppressed: number; ignored: number } }; stderr: string }> {
  const r = await scoutInProcess(['cves', DEMO, '--format', 'json', ...args], { env, cwd });
  return { code: r.code, json: r.stdout ? JSON.parse(r.stdout) : { findings: [], summary: { suppressed: 0, ignored: 0 } }, stderr: r.stderr };
}

function project(ignore?: string): string {
  const dir = tempDir();
  if (ignore !== undefined) writeFileSync(join(dir, '.scoutignore'), ignore);
  return dir;
}

test('setup: the offline bundle imported', async () => {
  const r = await scoutInProcess(['db', 'import', BUNDLE], { env });
  assert.equal(r.code, 0, r.stderr);
});

test('a rule for an id and a package suppresses exactly those findings, with file, line, expiry and reason in every format', async () => {
  const base = await cves(project());
  const glibc = base.json.findings.filter((f) => f.id === 'CVE-2023-4911');
  assert.ok(glibc.length > 0, 'the demo image has the glibc finding');
  assert.ok(base.json.findings.every((f) => !f.suppressed));
  const dir = project('# accepted risks\nCVE-2023-4911 pkg:deb/debian/libc6 exp:2099-12-31  # no setuid binary in this image\n');
  const r = await cves(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.findings.length, base.json.findings.length, 'suppressed findings stay in the report');
  const marked = r.json.findings.filter((f) => f.suppressed);
  assert.deepEqual(marked.map((f) => `${f.package.name} ${f.id}`).sort(), glibc.filter((f) => f.package.name === 'libc6').map((f) => `${f.package.name} ${f.id}`).sort());
  assert.deepEqual(marked[0].suppressed, { justification: 'ignored', ignored: { file: '.scoutignore', line: 2, id: 'CVE-2023-4911', packages: ['pkg:deb/debian/libc6'], expires: '2099-12-31', reason: 'no setuid binary in this image' } });
  assert.equal(r.json.summary.ignored, marked.length);

  const text = await scoutInProcess(['cves', DEMO], { env, cwd: dir });
  assert.match(text.stdout, /CVE-2023-4911 .*ignored \(\.scoutignore:2, until 2099-12-31: no setuid binary in this image\)/);
  assert.match(text.stdout, new RegExp(`${marked.length} ignored \\(rules? of an ignore file\\)`));
  const sarif = await scoutInProcess(['cves', DEMO, '--format', 'sarif'], { env, cwd: dir });
  const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; suppressions?: { status: string; justification: string }[] }[] }[] }).runs[0].results;
  const suppressed = results.filter((x) => x.suppressions);
  assert.equal(suppressed.length, marked.length);
  assert.ok(suppressed.every((x) => x.ruleId === 'CVE-2023-4911' && x.suppressions![0].status === 'accepted' && /no setuid/.test(x.suppressions![0].justification)));
  const cdx = await scoutInProcess(['cves', DEMO, '--format', 'cyclonedx'], { env, cwd: dir });
  const v = (JSON.parse(cdx.stdout) as { vulnerabilities: { id: string; analysis?: { response?: string[]; state?: string; detail?: string } }[] }).vulnerabilities.find((x) => x.id === 'CVE-2023-4911')!;
  assert.deepEqual(v.analysis?.response, ['will_not_fix']);
  assert.equal(v.analysis?.state, undefined, 'an accepted risk is not claimed to be not_affected');
});

test('an id covers the findings that carry it as an alias; a package the rule does not name is not covered', async () => {
  const base = await cves(project());
  const lodash = base.json.findings.find((f) => f.package.name === 'lodash' && f.ids.some((i) => i.startsWith('GHSA-')) && f.ids.some((i) => i.startsWith('CVE-')))!;
  assert.ok(lodash, 'a lodash finding with both a CVE and a GHSA id');
  const ghsa = lodash.ids.find((i) => i.startsWith('GHSA-'))!;
  let r = await cves(project(`${ghsa}\n`));
  assert.ok(r.json.findings.find((f) => f.id === lodash.id && f.package.name === 'lodash')!.suppressed, `${ghsa} covers the finding listed as ${lodash.id}`);
  r = await cves(project(`${ghsa} libc6 pkg:npm/express\n`));
  assert.ok(!r.json.findings.find((f) => f.id === lodash.id && f.package.name === 'lodash')!.suppressed, 'limited to other packages');
  r = await cves(project(`${ghsa} lodash\n`));
  assert.ok(r.json.findings.find((f) => f.id === lodash.id && f.package.name === 'lodash')!.suppressed, 'by name');
});

test('--exit-code does not count ignored findings; an expired rule applies to nothing and says so', async () => {
  const base = await cves(project());
  const all = [...new Set(base.json.findings.map((f) => f.id))].join('\n') + '\n';
  let r = await cves(project(all), ['--exit-code']);
  assert.equal(r.code, 0, 'everything accepted: the gate passes');
  assert.equal(r.json.summary.ignored, base.json.findings.length);
  r = await cves(project(), ['--exit-code']);
  assert.equal(r.code, 2);
  const expired = project('CVE-2023-4911 exp:2020-01-31 # until the bookworm upgrade\n');
  r = await cves(expired, ['--exit-code']);
  assert.equal(r.code, 2);
  assert.ok(r.json.findings.every((f) => !f.suppressed));
  assert.match(r.stderr, /^warning: \.scoutignore:1: the rule for CVE-2023-4911 expired on 2020-01-31; its findings are reported again$/m);
  // The expiry day itself still counts: rules last up to and including it.
  const today = new Date().toISOString().slice(0, 10);
  r = await cves(project(`CVE-2023-4911 exp:${today}\n`));
  assert.ok(r.json.findings.some((f) => f.suppressed));
});

test('--ignore-file names another file; a missing one, or a line that is not a rule, is an error naming file and line', async () => {
  const dir = project('CVE-2023-4911\n');
  const other = join(dir, 'ci.ignore');
  writeFileSync(other, '\n# nothing ignored here\n');
  let r = await cves(dir, ['--ignore-file', other]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.json.findings.every((f) => !f.suppressed), 'the named file replaces .scoutignore');
  r = await cves(dir, ['--ignore-file', join(dir, 'missing')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*missing: cannot read: ENOENT\n$/);
  for (const [line, message] of [
    ['CVE-2023', '"CVE-2023" is not a vulnerability id'],
    ['CVE-2023-4911 exp:31-01-2027', '"exp:31-01-2027": the expiry is exp:YYYY-MM-DD'],
    ['CVE-2023-4911 until=2027', '"until=2027" is neither a package'],
    ['CVE-2023-4911 pkg:', '"pkg:" is not a package URL'],
  ]) {
    r = await cves(project(`# ok\n\n${line}\n`));
    assert.equal(r.code, 1, line);
    assert.equal(r.stderr, `error: .scoutignore:3: ${message}${/neither/.test(message) ? ' (a purl or a name), an expiry (exp:YYYY-MM-DD) nor a reason (after #)' : message.startsWith('"CVE-2023"') ? ' (CVE-2023-4911, GHSA-xxxx-xxxx-xxxx, DSA-5514-1, …)' : ''}\n`);
  }
});

test('parsing: comments, reasons with # inside and several packages', () => {
  const rules = parseIgnoreFile('  # header\nGHSA-jf85-cpcp-j695 lodash pkg:npm/lodash@4.17.15 # used by tests only # really\n\nCVE-2021-44228\r\n', 'f');
  assert.deepEqual(rules.map(({ purls: _p, ...r }) => r), [
    { file: 'f', line: 2, id: 'GHSA-jf85-cpcp-j695', names: ['lodash'], packages: ['lodash', 'pkg:npm/lodash@4.17.15'], reason: 'used by tests only # really' },
    { file: 'f', line: 4, id: 'CVE-2021-44228', names: [] },
  ]);
});
