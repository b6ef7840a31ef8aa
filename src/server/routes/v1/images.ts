/**
 * Images: push (an SBOM with its image metadata, gzip-compressed or not), list, read
 * (metadata, layers, packages, findings) and delete.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IMAGE_SORT_KEYS, type ImageFilter, type ImageSortKey, type VexStatusFilter } from '../../../store/platform-store.js';
import { VEX_STATUS_ENUM } from '../../schemas/vex.js';
import { ScoutError } from '../../../util/errors.js';
import { ingestPush } from '../../ingest.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

const DIGEST = { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } as const;
const digestParams = { type: 'object', required: ['digest'], properties: { digest: DIGEST } } as const;

type PageQuery = { limit?: number; cursor?: string };

/**
 * `Content-Encoding: gzip` bodies are inflated on the way to the JSON parser; the route's body
 * limit applies to the inflated bytes, so a small bomb cannot grow past it.
 */
function inflate(request: FastifyRequest, payload: NodeJS.ReadableStream): NodeJS.ReadableStream {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return payload;
  if (encoding !== 'gzip') throw new ScoutError('bad-encoding', `Content-Encoding ${encoding} is not supported: send gzip or nothing`);
  const gunzip = createGunzip();
  // Fastify compares Content-Length with the bytes received: count the compressed ones.
  const out = gunzip as unknown as Transform & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  payload.on('data', (c: Buffer) => {
    out.receivedEncodedLength += c.length;
  });
  payload.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', () => {});
  const checked = new Transform({
    transform(chunk, _enc, cb) {
      cb(null, chunk);
    },
  }) as Transform & { receivedEncodedLength: number };
  Object.defineProperty(checked, 'receivedEncodedLength', { get: () => out.receivedEncodedLength });
  gunzip.on('error', (err) => checked.destroy(new ScoutError('bad-encoding', `the gzip body is damaged: ${err.message}`)));
  payload.pipe(gunzip).pipe(checked);
  return checked;
}

export default async function imageRoutes(app: FastifyInstance): Promise<void> {
  app.post('/images', {
    config: { scope: 'write' },
    bodyLimit: app.deps.pushBodyLimit ?? 256 * 1024 * 1024,
    preParsing: async (request, _reply, payload) => inflate(request, payload) as typeof payload,
    schema: {
      tags: ['images'],
      operationId: 'pushImage',
      summary: 'Store an image: its SBOM (scout sbom --format json) with image metadata, and what scout push found in its attestations (provenance) and layers (--secrets); matched against the server\'s advisories, its policies evaluated. Idempotent by digest.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repository: { type: 'string', minLength: 1, maxLength: 500 },
          tag: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } },
        },
      },
      body: { $ref: 'ImagePush#' },
      response: { 200: { $ref: 'PushResult#' }, 201: { $ref: 'PushResult#' }, 413: { $ref: 'Error#' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const q = req.query as { repository?: string; tag?: string[] };
    const jobs = app.deps.jobs;
    const result = await ingestPush(req.org, app.deps.advisories, req.body as Record<string, unknown>, {
      ...(q.repository ? { repository: q.repository } : {}),
      ...(q.tag ? { tags: q.tag } : {}),
      ...(jobs ? { enqueue: (trx, payloads) => jobs.enqueueDeliveries(trx, payloads) } : {}),
      answers: app.purlAnswers,
    });
    return reply.status(result.created ? 201 : 200).send(result);
  });

  app.get('/images', {
    schema: {
      tags: ['images'],
      operationId: 'listImages',
      summary: 'Images with their base image, last pushed first unless sorted otherwise; filtered by repository, text and severity; `total` counts every match',
      querystring: {
        type: 'object',
        properties: {
          repository: { type: 'string', maxLength: 500 },
          q: { type: 'string', maxLength: 200, description: 'Text in the repository name, a current tag (as `repository:tag`, so `web:1.0` finds acme/web:1.0), the digest or the OS name (case-insensitive).' },
          severity: { type: 'string', enum: ['critical', 'high', 'medium', 'none'], description: 'critical: with an open critical; high: critical or high; medium: medium or worse; none: without open findings.' },
          sort: { type: 'string', enum: [...IMAGE_SORT_KEYS], default: 'pushed' },
          order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          cursor: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 200: { $ref: 'ImagePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { repository, q, severity, sort, order, ...page } = req.query as PageQuery & ImageFilter & { sort: ImageSortKey; order: 'asc' | 'desc' };
    const filter: ImageFilter = { ...(repository !== undefined ? { repository } : {}), ...(q ? { q } : {}), ...(severity ? { severity } : {}) };
    return req.org.listImages(filter, page, { by: sort, order });
  });

  const notFound = (digest: string) => new ScoutError('not-found', `no image ${digest}`);

  app.get('/images/:digest', {
    schema: { tags: ['images'], operationId: 'getImage', summary: 'An image: metadata, tags, base image, vulnerability counts', params: digestParams, response: { 200: { $ref: 'Image#' }, ...ERROR_REPLIES } },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    return (await req.org.getImage(digest)) ?? Promise.reject(notFound(digest));
  });

  app.post('/images/seen', {
    config: { scope: 'write' },
    schema: {
      tags: ['images'],
      operationId: 'markImagesSeen',
      summary: 'Mark stored images seen now, by digest, as pushing them again would (the organisation\'s retention counts from the last push or sighting); scout watch marks the images its registry still holds. Digests not stored are passed over.',
      body: { type: 'object', required: ['digests'], additionalProperties: false, properties: { digests: { type: 'array', minItems: 1, maxItems: 1000, items: DIGEST } } },
      response: { 200: { type: 'object', required: ['seen'], additionalProperties: false, properties: { seen: { type: 'integer', description: 'How many of the digests are stored images (each now marked seen).' } } }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digests } = req.body as { digests: string[] };
    return { seen: await req.org.markSeen(digests) };
  });

  app.post('/images/:digest/tags', {
    config: { scope: 'write' },
    schema: {
      tags: ['images'],
      operationId: 'tagImage',
      summary: 'Point tags of a repository (made when new) at a stored image, moving them from the image they pointed at, as pushing that digest with those tags does; nothing is analysed again (scout watch uses it for a tag that moved to an image already stored)',
      params: digestParams,
      body: {
        type: 'object',
        required: ['repository', 'tags'],
        additionalProperties: false,
        properties: {
          repository: { type: 'string', minLength: 1, maxLength: 500 },
          tags: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } },
        },
      },
      response: { 200: { $ref: 'Image#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    const { repository, tags } = req.body as { repository: string; tags: string[] };
    return (await req.org.tagImage(digest, repository, tags)) ?? Promise.reject(notFound(digest));
  });

  app.get('/images/:digest/layers', {
    schema: {
      tags: ['images'],
      operationId: 'imageLayers',
      summary: 'An image\'s layers, bottom first, with chain IDs, a page at a time',
      params: digestParams,
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'LayerPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    return (await req.org.imageLayers(digest, req.query as PageQuery)) ?? Promise.reject(notFound(digest));
  });

  app.get('/images/:digest/packages', {
    schema: {
      tags: ['images'],
      operationId: 'imagePackages',
      summary: 'An image\'s packages with every SBOM field; `q` searches them',
      params: digestParams,
      querystring: {
        type: 'object',
        properties: {
          q: { type: 'string', maxLength: 200, description: 'Text in the purl, name, a license, a path or any other field (case-insensitive).' },
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          cursor: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 200: { $ref: 'PackagePage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    const { q, ...page } = req.query as PageQuery & { q?: string };
    return (await req.org.imagePackages(digest, page, q ? { q } : {})) ?? Promise.reject(notFound(digest));
  });

  app.get('/images/:digest/findings', {
    schema: {
      tags: ['images'],
      operationId: 'imageFindings',
      summary: 'An image\'s vulnerabilities, one per package and vulnerability, with when each was first and last seen and the VEX statement that decides it; `vex` keeps those with these VEX statuses',
      params: digestParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          cursor: { type: 'string', maxLength: 2000 },
          vex: { type: 'array', maxItems: 5, items: { type: 'string', enum: [...VEX_STATUS_ENUM, 'none'] }, description: 'Keep findings with one of these VEX statuses (repeat it; `none`: no statement applies). `vex=affected&vex=fixed&vex=under_investigation&vex=none` leaves out the not_affected ones, as scout cves --only-vex-affected does.' },
        },
      },
      response: { 200: { $ref: 'FindingPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    const { vex, ...page } = req.query as PageQuery & { vex?: VexStatusFilter[] };
    return (await req.org.imageFindings(digest, page, vex?.length ? { vex } : {})) ?? Promise.reject(notFound(digest));
  });

  app.get('/images/:digest/policy', {
    schema: {
      tags: ['images'],
      operationId: 'imagePolicy',
      summary: 'An image\'s policy results (evaluated on push and after each re-match): each policy\'s status, violations and fix, the health score, and the history of changes',
      params: digestParams,
      response: { 200: { $ref: 'ImagePolicy#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    return (await req.org.imagePolicy(digest)) ?? Promise.reject(notFound(digest));
  });

  app.get('/images/:digest/secrets', {
    schema: {
      tags: ['images'],
      operationId: 'imageSecrets',
      summary: 'Leaked secrets found by scout push --secrets: rule, file or config field, layer (and whether a later layer deleted it), line, the value masked',
      params: digestParams,
      response: { 200: { $ref: 'ImageSecrets#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { digest } = req.params as { digest: string };
    const scan = await req.org.imageSecrets(digest);
    if (scan === undefined) throw notFound(digest);
    return scan ? { scanned: true, scan } : { scanned: false };
  });

  app.delete('/images/:digest', {
    config: { scope: 'write' },
    schema: { tags: ['images'], operationId: 'deleteImage', summary: 'Delete an image and everything only it used', params: digestParams, response: { 204: { type: 'null' }, ...ERROR_REPLIES } },
  }, async (req, reply) => {
    const { digest } = req.params as { digest: string };
    if (!(await req.org.deleteImage(digest))) throw notFound(digest);
    return reply.status(204).send();
  });
}
