/**
 * Schemas of what a push carries besides the SBOM (attestations, provenance, the secret scan)
 * and of the policy routes. Bounded everywhere: a push is hostile input until checked.
 */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bounded = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const obj = (required: string[], properties: Record<string, unknown>, description?: string) => ({ type: 'object', required, additionalProperties: false, properties, ...(description ? { description } : {}) });
const digestMap = { type: 'object', maxProperties: 16, additionalProperties: bounded(256), description: 'Algorithm → hex digest (sha256, sha1, …).' };
const VERDICT = { type: 'string', enum: ['pass', 'fail', 'unknown'] } as const;
const POLICY_STATUS = { type: 'string', enum: ['pass', 'fail', 'unknown', 'error'] } as const;
const GRADE = { type: ['string', 'null'], enum: ['A', 'B', 'C', 'D', 'E', 'F', null] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

/** The image's own layer: index from the bottom, and its blob digest. */
const layerRef = obj(['index'], { index: { ...int, minimum: 0 }, digest: bounded(200) });

export const SUPPLY_CHAIN_SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'Attestations',
    ...obj(['provenance', 'sbom'], { provenance: { type: 'boolean' }, sbom: { type: 'boolean' } }, 'Whether the image came with SLSA provenance and SBOM attestations (invalid signatures do not count).'),
  },
  {
    $id: 'Provenance',
    ...obj(
      ['materials'],
      {
        materials: { type: 'array', maxItems: 10_000, items: obj(['uri', 'digest'], { uri: bounded(4096), digest: digestMap }), description: 'What the build pulled: images, the frontend, the Git context, with digests.' },
        baseImage: obj(['name'], { name: bounded(1024), digest: bounded(200) }, 'The image the final stage was built FROM.'),
        vcs: obj([], { source: bounded(4096), revision: bounded(200) }, 'The Git repository and commit the build came from.'),
        dockerfile: obj([], { path: bounded(4096), content: { ...bounded(1_000_000), description: 'Secret values in it are masked.' } }),
      },
      'The provenance facts the platform keeps (materials, base image, VCS information, Dockerfile); nothing else of the attestation is stored.',
    ),
  },
  {
    $id: 'StoredSecret',
    ...obj(
      ['rule', 'title', 'severity', 'source', 'location', 'masked'],
      {
        rule: bounded(200),
        title: bounded(500),
        severity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
        source: { type: 'string', enum: ['file', 'env', 'label', 'history'] },
        location: { ...bounded(4096), description: 'The file, the variable or label name, or history[N].' },
        layer: layerRef,
        deletedIn: { ...layerRef, description: 'A later layer deleted the file: it still ships in its own layer.' },
        replacedIn: layerRef,
        line: { ...int, minimum: 0 },
        masked: { ...bounded(64), description: 'At most the first 4 characters of the value, then stars: never the secret.' },
      },
      'A leaked secret: which rule, where, the value masked.',
    ),
  },
  {
    $id: 'SecretScan',
    ...obj(['findings', 'skipped', 'unreadLayers'], {
      scannedAt: str,
      findings: { type: 'array', maxItems: 50_000, items: { $ref: 'StoredSecret#' } },
      skipped: obj(['binary', 'overCap', 'packageTest'], { binary: int, overCap: int, packageTest: int }, 'Files not searched: binaries, files over the size cap, packages\' own tests.'),
      unreadLayers: { type: 'array', maxItems: 10_000, items: int, description: 'Layers that could not be read.' },
    }),
  },
  {
    $id: 'ImageSecrets',
    ...obj(['scanned'], {
      scanned: { type: 'boolean', description: 'false: the image was pushed without --secrets, its layers were not searched.' },
      scan: { $ref: 'SecretScan#' },
    }),
  },
  {
    $id: 'PolicySummary',
    ...obj(['status', 'grade', 'score', 'evaluatedAt'], {
      status: { ...VERDICT, description: 'fail: a policy fails (or a custom one errs); pass: one passes and none fails; unknown: none could be judged.' },
      grade: { ...GRADE, description: 'The health score A–F; null when no policy could be judged.' },
      score: { ...nullableNumber, description: 'Weighted percentage of the judged policies that pass.' },
      evaluatedAt: str,
    }),
  },
  {
    $id: 'PolicyResult',
    ...obj(['id', 'title', 'kind', 'status', 'weight', 'violations', 'fix'], {
      id: str,
      title: str,
      kind: { type: 'string', enum: ['builtin', 'custom'] },
      status: POLICY_STATUS,
      weight: { type: 'number' },
      violations: { type: 'array', items: obj(['subject', 'detail'], { subject: str, detail: str, fix: str }) },
      fix: str,
      reason: { ...str, description: 'Why the status is unknown or error.' },
    }),
  },
  {
    $id: 'ConfiguredPolicy',
    ...obj(['id', 'title', 'kind', 'enabled', 'weight', 'fix'], {
      id: str,
      title: str,
      kind: { type: 'string', enum: ['builtin', 'custom'] },
      enabled: { type: 'boolean', description: 'Off: the configuration turns this built-in policy off.' },
      weight: { type: 'number', description: 'Its share of the health score.' },
      fix: str,
      params: { type: 'object', additionalProperties: true, description: "A built-in policy's parameters in force (its defaults when it is off)." },
      expression: { ...str, description: "A custom policy's CEL expression." },
    }, 'A policy of the organisation\'s configuration.'),
  },
  {
    $id: 'ImagePolicy',
    ...obj(['current', 'history'], {
      current: {
        description: 'The latest evaluation (on push, after each re-match and after the policy configuration changed); null before the first.',
        oneOf: [
          { type: 'null' },
          obj(['status', 'grade', 'score', 'evaluatedAt', 'health', 'results'], {
            status: VERDICT,
            grade: GRADE,
            score: nullableNumber,
            evaluatedAt: str,
            health: obj(['grade', 'score', 'passed', 'failed', 'unknown', 'errors'], { grade: GRADE, score: nullableNumber, passed: int, failed: int, unknown: int, errors: int }),
            results: { type: 'array', items: { $ref: 'PolicyResult#' } },
          }),
        ],
      },
      history: {
        type: 'array',
        description: 'Each change of the results (the first evaluation too), newest first.',
        items: obj(['evaluatedAt', 'trigger', 'status', 'grade', 'score', 'results'], {
          evaluatedAt: str,
          trigger: { type: 'string', enum: ['push', 'rematch', 'policy-config', 'vex'], description: 'policy-config: the organisation\'s policy configuration changed (PUT or DELETE /v1/policies); vex: VEX statements arrived or went (POST or DELETE /v1/vex, a push with VEX).' },
          status: VERDICT,
          grade: GRADE,
          score: nullableNumber,
          results: { type: 'array', items: obj(['id', 'status', 'violations'], { id: str, status: POLICY_STATUS, violations: int }) },
        }),
      },
    }),
  },
];

/**
 * The body of POST /v1/images: the SBOM document (`scout sbom --format json`) with, optionally,
 * what `scout push` found beside it. The SBOM's own properties are kept as they are, their
 * references pointing into the SBOM schema, so an older client's plain SBOM is still a push.
 */
export function imagePushSchema(sbom: Record<string, unknown>, sbomId: string): Record<string, unknown> {
  const properties = JSON.parse(JSON.stringify(sbom.properties).replaceAll('"#/definitions/', `"${sbomId}#/definitions/`)) as Record<string, unknown>;
  return {
    $id: 'ImagePush',
    type: 'object',
    required: sbom.required,
    additionalProperties: false,
    description: 'An SBOM document (scout sbom --format json) with its image metadata, plus what scout push found in the image\'s attestations and, with --secrets, in its layers.',
    properties: {
      ...properties,
      attestations: { $ref: 'Attestations#' },
      provenance: { $ref: 'Provenance#' },
      secrets: { $ref: 'SecretScan#' },
      vex: { $ref: 'PushedVex#' },
    },
  };
}
