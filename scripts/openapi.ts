/**
 * `npm run openapi`: writes the served OpenAPI document to schemas/openapi.json. Run it after
 * changing a route or a schema; test/server/openapi-document.test.ts fails until you do.
 */
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, openApiDocument, openApiText } from '../src/server/openapi-document.js';

writeFileSync(OPENAPI_FILE, openApiText(await openApiDocument()));
console.log(`wrote ${OPENAPI_FILE.pathname}`);
