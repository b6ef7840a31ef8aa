import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OPENAPI_FILE, openApiDocument, openApiText } from '../../src/server/openapi-document.js';

test('schemas/openapi.json is the document the server serves (regenerate with npm run openapi)', async () => {
  const served = openApiText(await openApiDocument());
  const committed = readFileSync(OPENAPI_FILE, 'utf8');
  if (served !== committed) {
    // Name the first operation or schema that differs, not a 5,000-line diff.
    const a = JSON.parse(served) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    const b = JSON.parse(committed) as typeof a;
    const differs = [...new Set([...Object.keys(a.paths), ...Object.keys(b.paths)])].filter((p) => JSON.stringify(a.paths[p]) !== JSON.stringify(b.paths[p]));
    const schemas = [...new Set([...Object.keys(a.components.schemas), ...Object.keys(b.components.schemas)])].filter((s) => JSON.stringify(a.components.schemas[s]) !== JSON.stringify(b.components.schemas[s]));
    assert.fail(`schemas/openapi.json is out of date (paths: ${differs.join(', ') || 'none'}; schemas: ${schemas.join(', ') || 'none'}): run npm run openapi`);
  }
});
