/**
 * The catalogers' spec modules (src/catalog/<folder>/spec.ts, gathered by specs.ts) say what
 * the catalogers themselves select: a run served from the catalog cache builds its key from
 * the specs, a run that scans uses the catalogers, and the two must file the same image
 * under the same key. Which modules a cached run loads is startup.test.ts's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCatalogers, fullCapture } from '../../src/catalog/index.js';
import { allCatalogerSpecs, fullSelection } from '../../src/catalog/specs.js';
import { captureFingerprint, CompiledCapture, type CaptureSelection } from '../../src/image/capture.js';

/** A capture set as cache keys and the layer pass see it: the globs with their limits, and the analyzers' keys. */
function selectionOf(c: CaptureSelection) {
  return {
    selectors: c.selectors.map((s) => ({ globs: s.globs, maxSize: s.maxSize })),
    analyzers: c.analyzers.map((a) => ({ name: a.name, version: a.version, maxSize: a.maxSize })),
  };
}

test('every cataloger has a spec, in the same order, and selects exactly what its spec says', () => {
  assert.deepEqual(allCatalogerSpecs.map((s) => s.name), allCatalogers.map((c) => c.name));
  assert.equal(new Set(allCatalogers.map((c) => c.name)).size, allCatalogers.length, 'names are unique');
  for (const [i, c] of allCatalogers.entries()) {
    assert.deepEqual(selectionOf(c.capture), selectionOf(allCatalogerSpecs[i].capture), c.name);
    // Every analyzer the layer pass runs carries its code; the spec carries only its key.
    for (const a of c.capture.analyzers) assert.equal(typeof a.analyze, 'function', `${c.name}: ${a.name}`);
  }
});

test('the selection built from the specs is the full capture, glob for glob, so the catalog cache key is the same', () => {
  assert.deepEqual(selectionOf(fullSelection), selectionOf(fullCapture));
  assert.equal(captureFingerprint(fullSelection), new CompiledCapture(fullCapture).fingerprint);
  // Not vacuous: the analyzers and the shared captures (ownership lists, VEX, os-release) are in both.
  assert.deepEqual(fullSelection.analyzers.map((a) => a.name).sort(), ['cargo-auditable', 'go-buildinfo', 'java-archive', 'node-binary-version', 'python-egg-zip']);
  const globs = fullSelection.selectors.flatMap((s) => s.globs);
  for (const g of ['/var/lib/dpkg/status', '/var/lib/dpkg/info/*.list', '**/*.vex.json', '/etc/os-release']) assert.ok(globs.includes(g), g);
});

test('a changed glob, size limit or analyzer version changes the fingerprint the key is built from', () => {
  const base = captureFingerprint(fullSelection);
  const sel = selectionOf(fullSelection);
  const glob = structuredClone(sel);
  glob.selectors[0].globs = [...glob.selectors[0].globs, '/x'];
  const size = structuredClone(sel);
  size.selectors[0].maxSize = 1;
  const version = structuredClone(sel);
  version.analyzers[0].version++;
  for (const changed of [glob, size, version]) assert.notEqual(captureFingerprint(changed), base);
});
