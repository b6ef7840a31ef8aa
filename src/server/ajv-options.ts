/**
 * The API's Ajv options (Fastify's `ajv.customOptions`): query strings are coerced (limit=2,
 * repeated ?tag=); bodies are never stripped of fields. In a module of their own because
 * POST /v1/match compiles its body schema itself (match-request-check.ts) and must judge
 * bodies exactly as every other route's validator does.
 */
export const AJV_CUSTOM_OPTIONS = { coerceTypes: 'array', removeAdditional: false } as const;
