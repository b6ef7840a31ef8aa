/**
 * The API's JSON schemas, one `$id` each, added once with `addSchema`; routes only `$ref` them
 * (`{ $ref: 'Image#' }`), and the OpenAPI document names its components after the `$id`s.
 * Replies are serialised through these schemas: a field missing here is dropped from the reply,
 * so tests validate replies against them and compare them with what was stored.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { COMPARE_SCHEMAS } from './compare.js';
import { CONTINUOUS_SCHEMAS } from './continuous.js';
import { RECOMMENDATION_SCHEMAS } from './recommendations.js';
import { imagePushSchema, SUPPLY_CHAIN_SCHEMAS } from './supply-chain.js';
import { VEX_SCHEMAS } from './vex.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;
const SEVERITY = { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] } as const;

/** The SBOM document `scout sbom --format json` writes: the body of POST /v1/images. */
export const SBOM_SCHEMA_ID = 'https://iechor-scout.invalid/schemas/iechor-scout-sbom-1.schema.json';

function sbomSchema(): Record<string, unknown> {
  const s = JSON.parse(readFileSync(new URL('../../../schemas/iechor-scout-sbom-1.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  // Draft-07 `$schema` is implied by Fastify's Ajv; keeping it confuses the OpenAPI output.
  delete s.$schema;
  // Package metadata is free-form: said explicitly, or the reply serialiser would write `{}`.
  const pkg = (s.definitions as Record<string, { properties: Record<string, Record<string, unknown>> }>).package;
  pkg.properties.metadata = { ...pkg.properties.metadata, additionalProperties: true };
  return s;
}

const pageOf = (id: string, item: string) => ({
  $id: id,
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: { $ref: `${item}#` } },
    next: { type: 'string', description: 'Pass as `cursor` for the next page; absent on the last page.' },
  },
});

const SUMMARY_REQUIRED = ['digest', 'tags', 'pushedAt', 'lastSeenAt', 'platform', 'os', 'size', 'layerCount', 'packageCount', 'vulnerabilities'];
const SUMMARY_PROPERTIES = {
  digest: str,
  repository: str,
  tags: { ...strings, description: 'Tags of its repository that point at it now.' },
  created: str,
  pushedAt: str,
  lastSeenAt: { ...str, description: 'Last pushed again (retention counts from here).' },
  platform: { type: 'object', required: ['os', 'architecture'], additionalProperties: false, properties: { os: str, architecture: str, variant: str } },
  os: { type: 'object', additionalProperties: false, properties: { name: str, version: str } },
  registry: { type: 'object', additionalProperties: false, properties: { host: str, url: str, type: str } },
  size: { type: 'object', required: ['compressed'], additionalProperties: false, properties: { compressed: int, uncompressed: int } },
  layerCount: int,
  packageCount: int,
  vulnerabilities: { $ref: 'SeverityCounts#' },
  baseImage: { $ref: 'BaseImage#' },
  policy: { $ref: 'PolicySummary#' },
};

/**
 * POST /v1/match's body. Its route checks the usual body with a hand-written check first
 * (match-request-check.ts) and this schema decides every other body.
 */
export const MATCH_REQUEST_SCHEMA = {
  $id: 'MatchRequest',
  description: 'Local analysis: only package URLs and layer diff_ids. Nothing of it is stored or logged.',
  type: 'object',
  required: ['purls', 'layerDigests'],
  additionalProperties: false,
  properties: {
    purls: { type: 'array', maxItems: 100000, items: { type: 'string', minLength: 5, maxLength: 4096 } },
    layerDigests: { type: 'array', maxItems: 1000, items: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' }, description: 'The image\'s layer digests (uncompressed: the config\'s diff_ids), bottom first.' },
  },
};

export const SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'Error',
    type: 'object',
    required: ['code', 'message'],
    additionalProperties: false,
    properties: { code: { ...str, description: 'Stable machine-readable code (bad-request, unauthorized, not-found, …).' }, message: str },
  },
  {
    $id: 'PageQuery',
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      cursor: { type: 'string', maxLength: 2000 },
    },
  },
  {
    $id: 'SeverityCounts',
    type: 'object',
    required: ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'],
    additionalProperties: false,
    properties: { critical: int, high: int, medium: int, low: int, negligible: int, unknown: int },
  },
  {
    $id: 'Org',
    type: 'object',
    required: ['name', 'retentionDays', 'createdAt'],
    additionalProperties: false,
    properties: { name: str, retentionDays: { type: ['integer', 'null'] }, createdAt: str },
  },
  {
    $id: 'Token',
    type: 'object',
    required: ['id', 'name', 'scope', 'createdAt'],
    additionalProperties: false,
    properties: { id: str, name: str, scope: { type: 'string', enum: ['read', 'write', 'admin'] }, createdAt: str, lastUsedAt: str, revokedAt: str },
  },
  pageOf('TokenPage', 'Token'),
  {
    $id: 'BaseImage',
    type: 'object',
    required: ['digest', 'tags', 'catalog', 'from'],
    additionalProperties: false,
    properties: {
      digest: str,
      repository: str,
      tags: { ...strings, description: 'Every current tag of the repository pointing at this digest.' },
      layers: { ...int, description: 'How many of the image\'s layers the base image accounts for; absent when the provenance named a base image the platform does not hold.' },
      catalog: { type: 'boolean', description: 'Found in the public catalogue rather than the organisation\'s own images.' },
      from: { type: 'string', enum: ['provenance', 'layers'], description: 'Where the answer came from: the image\'s provenance attestation named it (used first), or the longest stored layer prefix.' },
      name: { ...str, description: 'The base image reference as the provenance names it (alpine:3.20).' },
    },
  },
  { $id: 'ImageSummary', type: 'object', required: SUMMARY_REQUIRED, additionalProperties: false, properties: SUMMARY_PROPERTIES },
  {
    $id: 'Image',
    type: 'object',
    required: [...SUMMARY_REQUIRED, 'metadata'],
    additionalProperties: false,
    properties: {
      ...SUMMARY_PROPERTIES,
      metadata: { $ref: `${SBOM_SCHEMA_ID}#/definitions/image` },
      distro: { $ref: `${SBOM_SCHEMA_ID}#/definitions/distro` },
      attestations: { $ref: 'Attestations#' },
      provenance: { $ref: 'Provenance#' },
    },
  },
  {
    ...pageOf('ImagePage', 'ImageSummary'),
    properties: { ...pageOf('ImagePage', 'ImageSummary').properties, total: { ...int, description: 'How many images match, over all pages.' } },
  },
  {
    $id: 'Repository',
    type: 'object',
    required: ['name', 'createdAt', 'lastPushedAt', 'imageCount', 'tags'],
    additionalProperties: false,
    properties: { name: str, createdAt: str, lastPushedAt: str, imageCount: int, tags: strings },
  },
  pageOf('RepositoryPage', 'Repository'),
  {
    $id: 'RepositoryTag',
    type: 'object',
    required: ['tag', 'digest', 'since'],
    additionalProperties: false,
    properties: {
      tag: str,
      digest: { ...str, description: 'The stored image the tag points at (it may have been pushed to another repository).' },
      indexDigest: { ...str, description: 'The multi-platform index the image was picked from, when it was.' },
      since: { ...str, description: 'Since when the tag points at this image.' },
    },
  },
  pageOf('RepositoryTagPage', 'RepositoryTag'),
  {
    $id: 'Layer',
    type: 'object',
    required: ['position', 'digest', 'diffId', 'chainId', 'mediaType', 'size'],
    additionalProperties: false,
    properties: { position: int, digest: str, diffId: str, chainId: str, mediaType: str, size: int, uncompressedSize: int, createdBy: str, created: str },
  },
  pageOf('LayerPage', 'Layer'),
  {
    $id: 'PackagePage',
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: { items: { type: 'array', items: { $ref: `${SBOM_SCHEMA_ID}#/definitions/package` } }, next: str, total: { ...int, description: 'How many packages match, over all pages.' } },
  },
  {
    $id: 'Finding',
    type: 'object',
    required: ['vulnerabilityId', 'ids', 'purl', 'packageName', 'packageVersion', 'packageType', 'severity', 'status', 'fixedVersions', 'kev', 'firstSeenAt', 'lastSeenAt'],
    additionalProperties: false,
    properties: {
      vulnerabilityId: str,
      ids: strings,
      purl: str,
      packageName: str,
      packageVersion: str,
      packageType: str,
      severity: SEVERITY,
      cvssScore: { type: 'number' },
      status: str,
      fixedVersions: strings,
      kev: { type: 'boolean' },
      epss: { type: 'object', required: ['score', 'percentile'], additionalProperties: false, properties: { score: { type: 'number' }, percentile: { type: 'number' } } },
      summary: str,
      firstSeenAt: str,
      lastSeenAt: str,
      fixedAt: str,
      withdrawnAt: str,
      vex: { $ref: 'FindingVex#' },
    },
  },
  pageOf('FindingPage', 'Finding'),
  {
    $id: 'Usage',
    type: 'object',
    required: ['digest', 'tags', 'purl', 'packageVersion'],
    additionalProperties: false,
    properties: { digest: str, repository: str, tags: strings, purl: str, packageVersion: str, vulnerabilityId: str, severity: SEVERITY, status: str, fixedVersions: strings, vex: { $ref: 'FindingVex#' } },
  },
  pageOf('UsagePage', 'Usage'),
  {
    $id: 'PushResult',
    type: 'object',
    required: ['created', 'image'],
    additionalProperties: false,
    properties: { created: { type: 'boolean', description: 'False when this digest was already stored.' }, image: { $ref: 'Image#' } },
  },
  MATCH_REQUEST_SCHEMA,
  {
    $id: 'MatchFinding',
    type: 'object',
    required: ['id', 'ids', 'purl', 'ecosystem', 'queriedName', 'queriedVersion', 'status', 'fixedVersions', 'affectedRanges', 'severity', 'references', 'advisories', 'dataSource'],
    additionalProperties: false,
    properties: {
      id: str,
      ids: strings,
      purl: str,
      ecosystem: str,
      queriedName: str,
      queriedVersion: str,
      status: str,
      statusText: str,
      fixedVersions: strings,
      affectedRanges: strings,
      severity: {
        type: 'object',
        required: ['level', 'source'],
        additionalProperties: false,
        properties: { level: SEVERITY, source: str, from: str, score: { type: 'number' }, vector: str, cvssVersion: str, scoreSource: str },
      },
      published: str,
      modified: str,
      summary: str,
      references: strings,
      kev: { type: 'object', required: ['dateAdded'], additionalProperties: false, properties: { dateAdded: str, dueDate: str, knownRansomwareUse: { type: 'boolean' }, vulnerabilityName: str } },
      epss: { type: 'object', required: ['score', 'percentile'], additionalProperties: false, properties: { score: { type: 'number' }, percentile: { type: 'number' }, date: str } },
      advisories: {
        type: 'array',
        items: { type: 'object', required: ['id', 'source', 'modified'], additionalProperties: false, properties: { id: str, source: str, modified: str, published: str } },
      },
      dataSource: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: str, importedAt: str } },
    },
  },
  {
    $id: 'MatchResult',
    type: 'object',
    required: ['findings', 'notMatchable'],
    additionalProperties: false,
    properties: {
      findings: { type: 'array', items: { $ref: 'MatchFinding#' } },
      notMatchable: { type: 'array', items: { type: 'object', required: ['purl', 'code', 'reason'], additionalProperties: false, properties: { purl: str, code: str, reason: str } } },
      baseImage: { $ref: 'BaseImage#' },
    },
  },
];

const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const imageRef = { digest: str, repository: str, tags: strings };

/** The dashboard's organisation-wide views (src/store/dashboard-reader.ts). */
export const DASHBOARD_SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'Overview',
    type: 'object',
    required: ['images', 'repositories', 'vulnerabilities', 'trend', 'topImages'],
    additionalProperties: false,
    properties: {
      images: int,
      repositories: int,
      vulnerabilities: { $ref: 'SeverityCounts#' },
      trend: {
        type: 'array',
        description: 'Open findings at the end of each day (UTC), from the first day one was seen.',
        items: { type: 'object', required: ['date', 'counts'], additionalProperties: false, properties: { date: str, counts: { $ref: 'SeverityCounts#' } } },
      },
      topImages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['digest', 'tags', 'fixable', 'vulnerabilities'],
          additionalProperties: false,
          properties: {
            ...imageRef,
            fixable: { type: 'object', required: ['critical', 'high'], additionalProperties: false, properties: { critical: int, high: int } },
            vulnerabilities: { $ref: 'SeverityCounts#' },
          },
        },
      },
      environments: {
        type: 'array',
        description: 'Each environment with the images running there now and their open findings by severity.',
        items: { type: 'object', required: ['name', 'images', 'vulnerabilities'], additionalProperties: false, properties: { name: str, images: int, vulnerabilities: { $ref: 'SeverityCounts#' } } },
      },
      events: { type: 'array', description: 'The 5 latest events, newest first.', items: { $ref: 'Event#' } },
    },
  },
  {
    $id: 'VulnerabilitySummary',
    type: 'object',
    required: ['id', 'severity', 'kev', 'fixable', 'images', 'environments', 'workloads', 'packages', 'vex'],
    additionalProperties: false,
    properties: {
      id: str,
      severity: SEVERITY,
      cvssScore: num,
      kev: bool,
      epss: { type: 'object', required: ['score', 'percentile'], additionalProperties: false, properties: { score: num, percentile: num } },
      summary: str,
      fixable: bool,
      images: { ...int, description: 'Images with an open finding of it (among those the filters keep).' },
      environments: { ...int, description: 'Environments where one of those images runs now.' },
      workloads: { ...int, description: 'Workloads (environment, cluster, namespace, type, name) running one of those images now.' },
      packages: strings,
      vex: {
        type: 'object',
        required: ['not_affected', 'affected', 'fixed', 'under_investigation', 'none'],
        additionalProperties: false,
        properties: { not_affected: int, affected: int, fixed: int, under_investigation: int, none: int },
        description: 'Its open findings that the other filters keep (every filter but `vex`), by the VEX status that decides them; none: no statement applies.',
      },
    },
  },
  {
    ...pageOf('VulnerabilitySummaryPage', 'VulnerabilitySummary'),
    properties: { ...pageOf('VulnerabilitySummaryPage', 'VulnerabilitySummary').properties, total: int },
  },
  {
    $id: 'PackageName',
    type: 'object',
    required: ['purl', 'type', 'name', 'versions', 'images'],
    additionalProperties: false,
    properties: { purl: { ...str, description: 'The package URL without version.' }, type: str, namespace: str, name: str, versions: strings, images: int },
  },
  pageOf('PackageNamePage', 'PackageName'),
  {
    $id: 'BaseImageUse',
    type: 'object',
    required: ['digest', 'tags', 'layers', 'catalog', 'images', 'children'],
    additionalProperties: false,
    properties: {
      digest: str,
      repository: str,
      tags: strings,
      layers: int,
      catalog: bool,
      images: int,
      children: { type: 'array', items: { type: 'object', required: ['digest', 'tags'], additionalProperties: false, properties: imageRef } },
      vulnerabilities: { $ref: 'SeverityCounts#' },
    },
  },
  pageOf('BaseImageUsePage', 'BaseImageUse'),
  {
    $id: 'AdvisoryView',
    type: 'object',
    required: ['id', 'aliases', 'records'],
    additionalProperties: false,
    properties: {
      id: str,
      aliases: strings,
      records: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'source', 'modified', 'severity', 'references', 'affected'],
          additionalProperties: false,
          properties: {
            id: str,
            source: str,
            summary: str,
            details: str,
            published: str,
            modified: str,
            withdrawn: str,
            severity: { type: 'array', items: { type: 'object', required: ['type', 'score'], additionalProperties: false, properties: { type: str, score: str } } },
            references: { type: 'array', items: { type: 'object', required: ['type', 'url'], additionalProperties: false, properties: { type: str, url: str } } },
            affected: {
              type: 'array',
              items: { type: 'object', required: ['ecosystem', 'name', 'ranges', 'versions'], additionalProperties: false, properties: { ecosystem: str, name: str, ranges: strings, versions: int } },
            },
          },
        },
      },
      kev: { type: 'object', required: ['dateAdded'], additionalProperties: false, properties: { dateAdded: str, dueDate: str, knownRansomwareUse: bool, vulnerabilityName: str } },
      epss: { type: 'object', required: ['score', 'percentile'], additionalProperties: false, properties: { score: num, percentile: num, date: str } },
    },
  },
  {
    $id: 'AdvisorySources',
    type: 'object',
    required: ['items', 'maxAgeDays'],
    additionalProperties: false,
    properties: {
      maxAgeDays: int,
      next: { type: 'string', description: 'Pass as `cursor` for the next page; absent on the last page.' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'kind', 'records', 'withdrawn', 'importedAt', 'ageDays', 'stale'],
          additionalProperties: false,
          properties: { name: str, kind: str, records: int, withdrawn: int, importedAt: str, ageDays: int, stale: bool },
        },
      },
    },
  },
];

export function addSchemas(app: FastifyInstance): void {
  const sbom = sbomSchema();
  app.addSchema(sbom);
  app.addSchema(imagePushSchema(sbom, SBOM_SCHEMA_ID));
  for (const s of [...SCHEMAS, ...SUPPLY_CHAIN_SCHEMAS, ...DASHBOARD_SCHEMAS, ...CONTINUOUS_SCHEMAS, ...RECOMMENDATION_SCHEMAS, ...COMPARE_SCHEMAS, ...VEX_SCHEMAS]) app.addSchema(s);
}

/** Shared error replies every authenticated route can give. */
export const ERROR_REPLIES = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  403: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
} as const;
