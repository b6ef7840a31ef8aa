// schemas/iechor-scout-sbom-1.schema.json describes what writeScoutJson really writes: the
// catalog of the demo image (examples/demo-image.tar, every default cataloger, a fresh layer
// cache) and the synthetic sample with every optional field validate against it, and it rejects
// a missing purl, an unknown relationship and an unknown top-level field, naming the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readScoutJson, SCOUT_SCHEMA, writeScoutJson } from '../../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../../src/sbom/model.js';
import { sampleSbom } from './sample-sbom.js';
import { demoImageSbom } from '../../helpers/sbom-of.js';

const SCHEMA_PATH = new URL('../../../schemas/iechor-scout-sbom-1.schema.json', import.meta.url).pathname;

type JsonObject = Record<string, unknown>;

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as JsonObject;
// Strict mode: a misspelt keyword or a type-less constraint in our schema is an error, not ignored.
const validate: ValidateFunction = new Ajv({ strict: true, allErrors: true }).compile(schema);

/** Ajv's errors as "path: message", with the offending property named where Ajv keeps it apart. */
function errorsOf(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const extra = e.keyword === 'additionalProperties' ? ` "${String(e.params.additionalProperty)}"` : e.keyword === 'enum' ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

let demo: Sbom;

before(async () => {
  demo = await demoImageSbom();
});

test('scout JSON schema: the schema is draft-07, names the format and describes every field', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal((schema.properties as JsonObject & { schema: { const: string } }).schema.const, SCOUT_SCHEMA);
  const defs = schema.definitions as Record<string, JsonObject>;
  const undescribed: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const o = node as JsonObject;
    if (o.properties && typeof o.properties === 'object') {
      for (const [k, v] of Object.entries(o.properties as JsonObject)) {
        const ref = (v as JsonObject).$ref;
        // A property that is a $ref is described by the definition it names.
        const d = typeof ref === 'string' ? defs[ref.replace('#/definitions/', '')]?.description : (v as JsonObject).description;
        if (typeof d !== 'string' || d.length < 10) undescribed.push(`${path}.${k}`);
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'properties') walk(v, `${path}.${k}`);
    if (o.properties) for (const [k, v] of Object.entries(o.properties as JsonObject)) walk(v, `${path}.properties.${k}`);
  };
  walk(schema, '$');
  assert.deepEqual(undescribed, []);
  for (const d of Object.keys(defs)) assert.equal(typeof defs[d].description, 'string', `definitions.${d} has a description`);
});

test('scout JSON schema: the demo image catalog as written validates', () => {
  const doc = JSON.parse(writeScoutJson(demo)) as JsonObject & { packages: JsonObject[]; image: JsonObject };
  assert.deepEqual(errorsOf(doc), []);
  // It is the real thing, with the parts the schema constrains most present.
  assert.equal(doc.packages.length, 25);
  assert.ok(doc.distro, 'os-release was found');
  assert.ok(doc.packages.every((p) => p.introducedLayer && p.relationship && p.metadata), 'every package has a layer, a relationship and metadata');
  assert.ok(doc.packages.some((p) => p.source && p.size !== undefined), 'deb packages carry source and size');
  assert.ok(doc.packages.some((p) => p.dependsOn) && doc.packages.some((p) => p.dependencyOf), 'npm packages carry dependency links');
  assert.equal((doc.image.history as unknown[]).length, 4);
});

test('scout JSON schema: the sample SBOM (every optional field) validates, and so does it read back and written again', () => {
  const sample = sampleSbom();
  const doc = JSON.parse(writeScoutJson(sample)) as JsonObject;
  assert.deepEqual(errorsOf(doc), []);
  // Optional fields the demo image does not have are exercised here.
  assert.ok(sample.image!.registry && sample.image!.entrypoint && sample.distro!.idLike);
  assert.ok(sample.packages.some((p) => p.ownedBy !== undefined && p.namespace !== undefined));
  assert.ok(sample.packages.some((p) => p.licenses.some((l) => l.name !== undefined)));
  assert.ok(sample.warnings.some((w) => w.layer !== undefined && w.path !== undefined));
  // An imported SBOM (importedFrom set, no image) written back out validates too.
  const imported: Sbom = { ...readScoutJson(writeScoutJson(sample)), importedFrom: 'cyclonedx-1.6' };
  delete imported.image;
  delete imported.distro;
  assert.deepEqual(errorsOf(JSON.parse(writeScoutJson(imported))), []);
});

test('scout JSON schema: a missing purl, an unknown relationship and an unknown top-level field fail, naming the field', () => {
  const good = JSON.parse(writeScoutJson(demo)) as JsonObject & { packages: JsonObject[] };
  const i = good.packages.findIndex((p) => p.relationship === 'direct');
  assert.ok(i >= 0);

  const noPurl = structuredClone(good);
  delete noPurl.packages[i].purl;
  assert.deepEqual(errorsOf(noPurl), [`/packages/${i}: must have required property 'purl'`]);

  const sometimes = structuredClone(good);
  sometimes.packages[i].relationship = 'sometimes';
  assert.deepEqual(errorsOf(sometimes), [`/packages/${i}/relationship: must be equal to one of the allowed values ["root","direct","transitive","unknown"]`]);

  const extra = { ...structuredClone(good), vulnerabilities: [] };
  assert.deepEqual(errorsOf(extra), [`/: must NOT have additional properties "vulnerabilities"`]);

  // The reader agrees on the first two (it ignores unknown fields, which the schema forbids).
  assert.throws(() => readScoutJson(JSON.stringify(noPurl)), new RegExp(`\\$\\.packages\\[${i}\\]\\.purl: expected a string`));
  assert.throws(() => readScoutJson(JSON.stringify(sometimes)), /relationship: expected one of root, direct, transitive, unknown, got "sometimes"/);
});

test('scout JSON schema: package metadata stays free-form, but fixed objects are closed', () => {
  const good = JSON.parse(writeScoutJson(sampleSbom())) as JsonObject & { packages: (JsonObject & { metadata: JsonObject; locations: JsonObject[] })[]; image: JsonObject };
  const open = structuredClone(good);
  open.packages[0].metadata.anything = { nested: [1, 'two', null] };
  assert.deepEqual(errorsOf(open), []);
  const closed = structuredClone(good);
  closed.packages[0].locations[0].sha256 = 'abc';
  (closed.image as JsonObject & { platform: JsonObject }).platform.osFeatures = [];
  assert.deepEqual(errorsOf(closed).sort(), [`/image/platform: must NOT have additional properties "osFeatures"`, `/packages/0/locations/0: must NOT have additional properties "sha256"`]);
});
