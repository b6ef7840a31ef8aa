/**
 * The OpenAPI document, generated from the route schemas by @fastify/swagger (registered before
 * any route, or the earlier routes are missing). Component names are the schemas' `$id`s; the
 * SBOM schema, whose `$id` is a URL, is named `Sbom`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SBOM_SCHEMA_ID } from '../schemas/index.js';

export default fp(async function swagger(app: FastifyInstance, opts: { version: string }) {
  const { default: fastifySwagger } = await import('@fastify/swagger');
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'iEchor Scout platform API', version: opts.version, description: 'Organisations, stored images and SBOMs, findings, base images and local analysis.' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'An API token (scout server token create).' } } },
      security: [{ token: [] }],
    },
    hideUntagged: true,
    refResolver: {
      buildLocalReference(json, _baseUri, _fragment, i) {
        const id = typeof json.$id === 'string' ? json.$id : `def-${i}`;
        return id === SBOM_SCHEMA_ID ? 'Sbom' : id;
      },
    },
  });
});
