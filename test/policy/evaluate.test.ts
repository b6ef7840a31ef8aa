/**
 * The base-image policies from the two ways Scout learns a base image (provenance, and the
 * platform's layer match with the tags that point at it now), licence expressions as SPDX reads
 * them, and the health score's grade boundaries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicyConfig, evaluatePolicies, healthScore, policyInput, type PolicyResult } from '../../src/policy/index.js';
import { unavoidableLicenses, licenseFamily } from '../../src/policy/licenses.js';
import { sbomFromPurls } from '../../src/server/analyze.js';

const { sbom } = sbomFromPurls(['pkg:apk/alpine/musl@1.2.5-r0']);
const status = (facts: Parameters<typeof policyInput>[0], id: string) => evaluatePolicies(policyInput(facts), defaultPolicyConfig(), { target: 't' }).results.find((r) => r.id === id)!;

test('base image: a current tag pointing at the matched digest passes; a tag that moved on fails; provenance alone is unknown', () => {
  const provenance = { materials: [], baseImage: { name: 'alpine:3.20', digest: 'sha256:aaa' } };
  assert.equal(status({ sbom, findings: [], layerBase: { digest: 'sha256:aaa', repository: 'docker.io/library/alpine', tags: ['3.20'] } }, 'up-to-date-base-image').status, 'pass');
  const old = status({ sbom, findings: [], layerBase: { digest: 'sha256:aaa', repository: 'docker.io/library/alpine', tags: [] } }, 'up-to-date-base-image');
  assert.equal(old.status, 'fail');
  assert.match(old.violations[0].detail, /no tag of its repository points at this digest/);
  assert.equal(status({ sbom, findings: [], provenance }, 'up-to-date-base-image').status, 'unknown');
  // Provenance names it, the layer match (same repository) says whether it is current.
  assert.equal(status({ sbom, findings: [], provenance, layerBase: { digest: 'sha256:bbb', repository: 'alpine', tags: [] } }, 'up-to-date-base-image').status, 'fail');
  // A layer match in a repository-less image cannot say.
  assert.equal(status({ sbom, findings: [], layerBase: { digest: 'sha256:aaa', tags: [] } }, 'up-to-date-base-image').status, 'unknown');
  assert.equal(status({ sbom, findings: [], provenance }, 'approved-base-images').status, 'pass');
  assert.equal(status({ sbom, findings: [], provenance: { materials: [], baseImage: { name: 'ghcr.io/someone/base:1' } } }, 'approved-base-images').status, 'fail');
});

test('licenses: an OR leaves a choice, an AND does not; a family id covers -only, -or-later and +', () => {
  const agpl = new Set(['AGPL-3.0'].map(licenseFamily));
  assert.deepEqual(unavoidableLicenses(['MIT OR AGPL-3.0-or-later'], agpl), []);
  assert.deepEqual(unavoidableLicenses(['MIT AND AGPL-3.0-only'], agpl), ['MIT AND AGPL-3.0-only']);
  assert.deepEqual(unavoidableLicenses(['AGPL-3.0+', 'MIT'], agpl), ['AGPL-3.0+']);
  assert.deepEqual(unavoidableLicenses(['GPL-3.0-only', 'Some custom licence'], agpl), []);
});

test('health score: the weighted share of judged policies; unknown and errors are left out; no grade when nothing is judged', () => {
  const r = (status: PolicyResult['status'], weight: number): PolicyResult => ({ id: `${status}${weight}`, title: '', kind: 'builtin', status, weight, violations: [], fix: '' });
  assert.deepEqual(healthScore([r('pass', 5), r('pass', 5), r('unknown', 3)]).grade, 'A');
  assert.deepEqual(healthScore([r('pass', 17), r('fail', 3)]).grade, 'B'); // 85%
  assert.deepEqual(healthScore([r('pass', 84), r('fail', 16)]).grade, 'C');
  assert.deepEqual(healthScore([r('pass', 7), r('fail', 3)]).grade, 'C'); // 70%
  assert.deepEqual(healthScore([r('pass', 1), r('fail', 1)]).grade, 'D');
  assert.deepEqual(healthScore([r('pass', 3), r('fail', 7)]).grade, 'E');
  assert.deepEqual(healthScore([r('pass', 2), r('fail', 8), r('error', 5)]).grade, 'F');
  assert.deepEqual(healthScore([r('unknown', 2), r('error', 2)]), { grade: null, score: null, passed: 0, failed: 0, unknown: 1, errors: 1 });
});
