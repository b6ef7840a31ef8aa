/** Repositories of the caller's organisation. */
import type { FastifyInstance } from 'fastify';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

export default async function repositoryRoutes(app: FastifyInstance): Promise<void> {
  app.get('/repositories', {
    schema: {
      tags: ['repositories'],
      operationId: 'listRepositories',
      summary: 'Repositories, by name',
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'RepositoryPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => req.org.listRepositories(req.query as { limit?: number; cursor?: string }));

  app.get('/repositories/:name/tags', {
    schema: {
      tags: ['repositories'],
      operationId: 'repositoryTags',
      summary: 'A repository\'s current tags, by name, a page at a time, and the stored image each points at (the name URL-encoded: registry.example.com%2Fteam%2Fapp); scout watch compares them with the registry\'s',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 500 } } },
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'RepositoryTagPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const page = await req.org.repositoryTags(name, req.query as { limit?: number; cursor?: string });
    if (!page) throw new ScoutError('not-found', `no repository ${name}`);
    return page;
  });

  app.delete('/repositories/:name/tags/:tag', {
    config: { scope: 'write' },
    schema: {
      tags: ['repositories'],
      operationId: 'untagImage',
      summary: 'Remove a tag from a repository (the name URL-encoded); the image it pointed at stays, for retention to judge. scout watch removes the tags its registry no longer lists',
      params: {
        type: 'object',
        required: ['name', 'tag'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 500 }, tag: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } },
      },
      response: { 204: { type: 'null' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const { name, tag } = req.params as { name: string; tag: string };
    if (!(await req.org.untag(name, tag))) throw new ScoutError('not-found', `no tag ${name}:${tag}`);
    return reply.status(204).send();
  });

  app.delete('/repositories/:name', {
    config: { scope: 'write' },
    schema: {
      tags: ['repositories'],
      operationId: 'deleteRepository',
      summary: 'Delete a repository with its images and tag history (the name URL-encoded: library%2Fnode)',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 500 } } },
      response: { 204: { type: 'null' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const { name } = req.params as { name: string };
    if (!(await req.org.deleteRepository(name))) throw new ScoutError('not-found', `no repository ${name}`);
    return reply.status(204).send();
  });
}
