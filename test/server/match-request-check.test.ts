// POST /v1/match checks the usual body by hand before the schema's Ajv validator
// (src/server/match-request-check.ts). Proven here: whatever the hand-written check accepts, the
// MatchRequest schema accepts unchanged (nothing to coerce), over generated bodies near every
// edge of the schema; and the route answers each body as the schema does: accepted ones (also
// those Ajv coerces, or judges by code points) with findings, rejected ones with Ajv's message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { AJV_CUSTOM_OPTIONS } from '../../src/server/ajv-options.js';
import { isUsualMatchRequest } from '../../src/server/match-request-check.js';
import { MATCH_REQUEST_SCHEMA } from '../../src/server/schemas/index.js';
import { testApi } from '../helpers/platform-app.js';

/** The schema as Fastify's validators judge a body (its Ajv options; one error at a time). */
function schemaJudge(): (body: unknown) => { ok: boolean; message?: string; coerced: unknown } {
  const validate = new Ajv({ ...AJV_CUSTOM_OPTIONS, useDefaults: true, allErrors: false, strict: false }).compile(MATCH_REQUEST_SCHEMA);
  return (body) => {
    // Ajv coerces in place: judge a copy, and hand back what it made of it.
    const holder = { body: structuredClone(body) };
    const ok = validate(holder.body, { parentData: holder, parentDataProperty: 'body', instancePath: '', rootData: holder, dynamicAnchors: {} });
    const e = validate.errors?.[0];
    return { ok, coerced: holder.body, ...(e ? { message: `body${e.instancePath} ${e.message}` } : {}) };
  };
}

const DIGEST = `sha256:${'a'.repeat(64)}`;
const ASTRAL = '\u{1F600}'; // two UTF-16 units, one code point

test('whatever the hand-written check accepts, the schema accepts as it is', () => {
  const judge = schemaJudge();
  // Strings around the schema's edges: lengths near 5 and 4096 (some astral), digests right and nearly right.
  const purl = fc.oneof(
    fc.string({ minLength: 0, maxLength: 12 }),
    fc.integer({ min: 0, max: 12 }).map((n) => ASTRAL.repeat(n)),
    fc.constantFrom('a'.repeat(4095), 'a'.repeat(4096), 'a'.repeat(4097), ASTRAL.repeat(2048), ASTRAL.repeat(2049)),
    fc.string({ minLength: 10, maxLength: 40 }),
  );
  const digest = fc.oneof({ weight: 4, arbitrary: fc.constant(DIGEST) }, fc.constantFrom(`sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha256:${'a'.repeat(64)}\n`, `sha512:${'a'.repeat(64)}`), fc.string());
  const item = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 8, arbitrary: s }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({})) });
  const list = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 8, arbitrary: fc.array(item(s), { maxLength: 6 }) }, { weight: 1, arbitrary: fc.oneof(s, fc.constant(null), fc.integer(), fc.constant({})) });
  // As the route gets them: parsed from JSON text.
  const body = fc.oneof(
    { weight: 6, arbitrary: fc.record({ purls: list(purl), layerDigests: list(digest) }) },
    { weight: 3, arbitrary: fc.record({ purls: list(purl), layerDigests: list(digest), extra: fc.anything() }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.anything() },
  ).map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);
  let accepted = 0;
  fc.assert(
    fc.property(body, (b) => {
      if (!isUsualMatchRequest(b)) return;
      accepted++;
      const { ok, coerced } = judge(b);
      assert.ok(ok, `accepted by hand, rejected by the schema: ${JSON.stringify(b)}`);
      assert.deepEqual(coerced, b, 'accepted by hand, but the schema would coerce it');
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 100, `the generated bodies include usual ones (${accepted})`);
  // Near the edges, by name: too short or long in code points whatever the UTF-16 length says.
  for (const p of ['abcd', ASTRAL.repeat(4), `${ASTRAL.repeat(3)}abc`, 'a'.repeat(9), ASTRAL.repeat(2049)]) {
    assert.equal(isUsualMatchRequest({ purls: [p], layerDigests: [] }), false, `${p.length} units: left to the schema`);
  }
  assert.equal(isUsualMatchRequest({ purls: ['a'.repeat(10), 'a'.repeat(4096)], layerDigests: [DIGEST] }), true);
});

test('the route answers each body as the schema does, with its messages', async (t) => {
  const api = await testApi('sqlite', t);
  const judge = schemaJudge();
  const ask = (payload: unknown) => api.call<{ code?: string; message?: string; findings?: unknown[] }>({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
  const npm = 'pkg:npm/left-pad@1.3.0';
  const bodies: unknown[] = [
    { purls: [npm], layerDigests: [DIGEST] },
    // Coerced by Ajv: one string for a list, a number for a purl.
    { purls: npm, layerDigests: DIGEST },
    { purls: [1234567], layerDigests: [] },
    // Judged in code points: 5 astral characters are 10 UTF-16 units, 4 are 8.
    { purls: [ASTRAL.repeat(5)], layerDigests: [] },
    { purls: [ASTRAL.repeat(4)], layerDigests: [] },
    { purls: ['abcd'], layerDigests: [] },
    { purls: ['a'.repeat(4097)], layerDigests: [] },
    { purls: [npm], layerDigests: [`sha256:${'A'.repeat(64)}`] },
    { purls: [npm], layerDigests: [], extra: 1 },
    { purls: [npm] },
    { purls: [null], layerDigests: [] },
    { purls: [npm], layerDigests: new Array(1001).fill(DIGEST) },
    [npm],
  ];
  for (const b of bodies) {
    const expected = judge(b);
    const r = await ask(b);
    if (expected.ok) {
      assert.equal(r.status, 200, `${JSON.stringify(b).slice(0, 80)}: ${r.body.message}`);
      // What the schema made of it is what was analysed.
      assert.deepEqual(r.body, (await ask(expected.coerced)).body);
    } else {
      assert.deepEqual([r.status, r.body.code, r.body.message], [400, 'bad-request', expected.message], JSON.stringify(b).slice(0, 80));
    }
  }
  assert.ok(bodies.some((b) => !judge(b).ok) && bodies.some((b) => judge(b).ok && !isUsualMatchRequest(b)), 'both rejections and bodies only the schema accepts');
});
