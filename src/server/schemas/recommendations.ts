/** Schemas of POST /v1/recommendations (platform/recommendations.ts). */
const str = { type: 'string' } as const;

const candidateProperties = {
  digest: str,
  repository: str,
  tags: { type: 'array', items: str },
  osFamily: { ...str, description: 'The os-release ID (debian, alpine, …).' },
  osVersion: str,
  created: str,
  size: { type: 'integer', description: 'Compressed size in bytes.' },
  fixable: {
    type: 'object',
    required: ['critical', 'high'],
    additionalProperties: false,
    description: 'Open findings that have a fixed version.',
    properties: { critical: { type: 'integer' }, high: { type: 'integer' } },
  },
} as const;

export const RECOMMENDATION_SCHEMAS = [
  {
    $id: 'RecommendationRequest',
    description: 'Only the image\'s layer diff_ids, bottom first. Nothing of it is stored or logged.',
    type: 'object',
    required: ['layerDigests'],
    additionalProperties: false,
    properties: { layerDigests: { type: 'array', maxItems: 1000, items: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } } },
  },
  {
    $id: 'BaseCandidate',
    type: 'object',
    required: ['digest', 'tags', 'size', 'fixable'],
    additionalProperties: false,
    properties: candidateProperties,
  },
  {
    $id: 'Recommendation',
    type: 'object',
    required: ['digest', 'tags', 'size', 'fixable', 'reasons', 'better'],
    additionalProperties: false,
    properties: {
      ...candidateProperties,
      reasons: { type: 'array', items: str, description: 'How it compares with the current base, most important first.' },
      better: { type: 'boolean', description: 'Fewer fixable critical and high vulnerabilities than the current base.' },
    },
  },
  {
    $id: 'Recommendations',
    type: 'object',
    required: ['recommendations'],
    additionalProperties: false,
    properties: {
      base: {
        type: 'object',
        required: ['digest', 'tags', 'layers', 'catalog', 'current'],
        additionalProperties: false,
        description: 'The image\'s base image; absent when none is known.',
        properties: { digest: str, repository: str, tags: { type: 'array', items: str }, layers: { type: 'integer' }, catalog: { type: 'boolean' }, from: { type: 'string', enum: ['layers'] }, current: { $ref: 'BaseCandidate#' } },
      },
      recommendations: { type: 'array', items: { $ref: 'Recommendation#' }, description: 'Other tags of the base image\'s repository, best first.' },
    },
  },
];
