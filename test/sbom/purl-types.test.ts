// The purl-spec type definitions (test/fixtures/purl/types/*-definition.json) against our
// parser: which components are case sensitive, where a namespace is required or prohibited,
// and every example they give.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildPurl, canonicalPurl, parsePurl, type PurlInput } from '../../src/sbom/purl.js';

interface Definition {
  type: string;
  namespace_definition?: { requirement?: string; case_sensitive?: boolean };
  name_definition?: { requirement?: string; case_sensitive?: boolean };
  examples?: string[];
}

const DIR = new URL('../fixtures/purl/types/', import.meta.url);
const definitions: Definition[] = readdirSync(DIR)
  .filter((f) => f.endsWith('-definition.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Definition);

/** Components every type accepts, apart from what a definition demands beyond them. */
function probe(d: Definition, namespace: string | undefined, name: string): PurlInput {
  const input: PurlInput = { type: d.type, namespace, name, version: '1.0' };
  if (d.type === 'julia') input.qualifiers = { uuid: 'ac24ea0c-1830-11e9-18d4-81f172323054' };
  if (d.type === 'conan' && namespace) input.qualifiers = { channel: 'stable' };
  return input;
}

/** A name the type allows, in mixed case (chrome-extension ids are 32 letters a-p). */
function mixedName(d: Definition): string {
  return d.type === 'chrome-extension' ? 'ABCDEFGHIJKLMNOPabcdefghijklmnop' : 'MixedName';
}

/**
 * Types whose definition requires a namespace that we still read without one: purls from real
 * SBOMs often lack it (deb/rpm/apk without a vendor, golang stdlib, huggingface models without
 * an owner), and refusing them would leave those packages unmatchable.
 */
const NAMESPACE_REQUIRED_BUT_OPTIONAL_HERE = ['alpm', 'apk', 'deb', 'golang', 'huggingface', 'qpkg', 'rpm'];

/** Examples in the definitions we read differently, and why. */
const EXAMPLES_READ_DIFFERENTLY: Record<string, RegExp> = {
  // A '/' in a version must be percent-encoded: unencoded, it ends the namespace.
  'pkg:opam/git@3/16.1': /opam purls have no namespace/,
};

test('purl type definitions: case-insensitive namespaces and names are lowercased, case-sensitive ones kept', () => {
  assert.ok(definitions.length >= 40, `${definitions.length} definitions`);
  for (const d of definitions) {
    const nsCase = d.namespace_definition?.case_sensitive;
    const nameCase = d.name_definition?.case_sensitive;
    const withNs = d.namespace_definition?.requirement !== 'prohibited';
    const p = parsePurl(buildPurl(probe(d, withNs ? 'MixedNs' : undefined, mixedName(d))));
    if (nameCase === false) assert.equal(p.name, mixedName(d).toLowerCase(), `${d.type} name`);
    if (nameCase === true) assert.equal(p.name, mixedName(d), `${d.type} name`);
    if (!withNs) continue;
    // npm scopes: lowercased although the definition calls them case sensitive (see purl.ts).
    if (nsCase === false || d.type === 'npm') assert.equal(p.namespace, 'mixedns', `${d.type} namespace`);
    else if (nsCase === true) assert.equal(p.namespace, 'MixedNs', `${d.type} namespace`);
  }
});

test('purl type definitions: a prohibited namespace is refused, a required one too except where real SBOMs lack it', () => {
  const lenient: string[] = [];
  for (const d of definitions) {
    const req = d.namespace_definition?.requirement;
    if (req === 'prohibited') assert.throws(() => buildPurl(probe(d, 'somens', mixedName(d))), /have no namespace|"namespace" component must be empty/, d.type);
    if (req !== 'required') continue;
    try {
      buildPurl(probe(d, undefined, mixedName(d)));
      lenient.push(d.type);
    } catch (err) {
      assert.match((err as Error).message, /need a namespace|requires a "namespace"/, d.type);
    }
  }
  assert.deepEqual(lenient, NAMESPACE_REQUIRED_BUT_OPTIONAL_HERE);
});

test('purl type definitions: every example parses, and its canonical form parses to the same components', () => {
  let n = 0;
  for (const d of definitions) {
    for (const ex of d.examples ?? []) {
      const differently = EXAMPLES_READ_DIFFERENTLY[ex];
      if (differently) {
        assert.throws(() => parsePurl(ex, { lenient: true }), differently, ex);
        continue;
      }
      // Some examples are written before the spec settled: qualifiers unsorted, ':' encoded.
      const parts = parsePurl(ex, { lenient: true });
      assert.equal(parts.type, d.type, ex);
      const canonical = canonicalPurl(ex);
      assert.deepEqual(parsePurl(canonical), parts, ex);
      assert.equal(canonicalPurl(canonical), canonical, `${ex}: canonical form is stable`);
      n++;
    }
  }
  assert.ok(n >= 130, `${n} examples`);
});
