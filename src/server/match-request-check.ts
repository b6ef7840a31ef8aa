/**
 * POST /v1/match's body validator: a hand-written check of the usual body first, Ajv for the rest.
 *
 * Why: Ajv counts each string's length in code points, one character at a time, so checking
 * 500 purls cost ~7% of a local analysis request. The usual body (an object of exactly `purls`
 * and `layerDigests`, arrays of strings of plainly acceptable lengths and digests) is accepted
 * here without it. Anything else, a body Ajv would reject, coerce (a string where an array
 * belongs) or judge by code points (a purl of 5 to 9 UTF-16 units), goes to the schema's own
 * Ajv validator, compiled as Fastify compiles every other route's (same package, same options),
 * so the route accepts exactly what the schema accepts and rejects with the same messages.
 * The schema itself stays the route's `body` schema: the OpenAPI document shows it.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { AJV_CUSTOM_OPTIONS } from './ajv-options.js';
import { MATCH_REQUEST_SCHEMA } from './schemas/index.js';

const { purls: PURLS, layerDigests: DIGESTS } = MATCH_REQUEST_SCHEMA.properties;
// A string of n UTF-16 units has between n/2 and n code points: from twice the minimum it is
// long enough whatever it holds.
const SURE_PURL_LENGTH = 2 * PURLS.items.minLength;
// The 'u' flag, as Ajv compiles a pattern.
const DIGEST = new RegExp(DIGESTS.items.pattern, 'u');

/** True only for a body the schema accepts as it is (nothing to coerce); false says nothing. */
export function isUsualMatchRequest(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { purls, layerDigests } = body as Record<string, unknown>;
  if (!Array.isArray(purls) || !Array.isArray(layerDigests) || Object.keys(body).length !== 2) return false;
  if (purls.length > PURLS.maxItems || layerDigests.length > DIGESTS.maxItems) return false;
  for (const p of purls) {
    if (typeof p !== 'string' || p.length < SURE_PURL_LENGTH || p.length > PURLS.items.maxLength) return false;
  }
  for (const d of layerDigests) {
    if (typeof d !== 'string' || !DIGEST.test(d)) return false;
  }
  return true;
}

/** The validator as Fastify calls it: Ajv's, with its `errors` and `schemaEnv` (root coercion). */
interface Validator {
  (data: unknown, context?: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
  schemaEnv?: unknown;
}

/**
 * The route's `validatorCompiler`: for the body, the usual-body check in front of Ajv's
 * validator of MatchRequest; any other part (the route has none) gets Ajv's alone.
 */
export function matchRequestValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const compile = AjvCompiler()({ [MATCH_REQUEST_SCHEMA.$id]: MATCH_REQUEST_SCHEMA }, { customOptions: { ...AJV_CUSTOM_OPTIONS } }) as unknown as (route: { schema: unknown }) => Validator;
  return (route) => {
    const full = compile(route);
    if (route.httpPart !== 'body') return full;
    const check: Validator = (data, context) => isUsualMatchRequest(data) || full(data, context);
    // Fastify reads the errors of a rejection from the validator, and passes the parent
    // (for a coerced root) only to a validator with a schemaEnv.
    Object.defineProperty(check, 'errors', { get: () => full.errors });
    check.schemaEnv = full.schemaEnv;
    return check;
  };
}
