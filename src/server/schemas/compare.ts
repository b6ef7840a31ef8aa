/** Schemas of GET /v1/images/{digest}/compare: the `iechor-scout/compare@1` document of `scout compare --format json`. */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const obj = (required: string[], properties: Record<string, unknown>, description?: string) => ({ type: 'object', required, additionalProperties: false, properties, ...(description ? { description } : {}) });
const SEVERITY = { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] } as const;
const nullableBase = { oneOf: [{ type: 'null' }, { $ref: 'BaseImage#' }] };

export const COMPARE_SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'ComparedImage',
    ...obj(['reference', 'packages', 'vulnerabilities'], {
      reference: { ...str, description: 'REPOSITORY:TAG (its first current tag), REPOSITORY@DIGEST, or the digest.' },
      digest: str,
      platform: str,
      os: str,
      packages: int,
      size: obj(['compressed'], { compressed: int, uncompressed: int }),
      vulnerabilities: { $ref: 'SeverityCounts#' },
    }),
  },
  {
    $id: 'ComparedPackage',
    ...obj(['key', 'name', 'type', 'version', 'purl'], { key: { ...str, description: 'The PURL without version and qualifiers: what is compared.' }, name: str, namespace: str, type: str, version: str, purl: str }),
  },
  {
    $id: 'ComparedFinding',
    ...obj(['id', 'severity', 'package', 'fixedVersions', 'kev'], {
      id: str,
      severity: SEVERITY,
      score: { type: 'number' },
      package: obj(['key', 'name', 'version', 'purl'], { key: str, name: str, version: str, purl: str }),
      fixedVersions: { type: 'array', items: str },
      kev: { type: 'boolean' },
    }),
  },
  {
    $id: 'Comparison',
    ...obj(['schema', 'image', 'to', 'packages', 'findings'], {
      schema: { type: 'string', enum: ['iechor-scout/compare@1'] },
      image: { $ref: 'ComparedImage#' },
      to: { $ref: 'ComparedImage#' },
      packages: obj(['added', 'removed', 'changed', 'unchanged'], {
        added: { type: 'array', items: { $ref: 'ComparedPackage#' }, description: 'In the image, not in `to`.' },
        removed: { type: 'array', items: { $ref: 'ComparedPackage#' }, description: 'In `to`, not in the image.' },
        changed: {
          type: 'array',
          description: 'The same package (PURL without version) at another version: from `to`\'s to the image\'s.',
          items: obj(['key', 'name', 'type', 'from', 'to', 'direction', 'fromPurl', 'toPurl'], {
            key: str,
            name: str,
            namespace: str,
            type: str,
            from: str,
            to: str,
            direction: { type: 'string', enum: ['upgraded', 'downgraded', 'changed'], description: 'By the package type\'s version scheme; changed when it cannot order them.' },
            fromPurl: str,
            toPurl: str,
          }),
        },
        unchanged: int,
      }),
      findings: obj(['added', 'removed', 'unchanged'], {
        added: { type: 'array', items: { $ref: 'ComparedFinding#' }, description: 'Open in the image, not in `to`; worst first.' },
        removed: { type: 'array', items: { $ref: 'ComparedFinding#' }, description: 'Open in `to`, not in the image.' },
        unchanged: int,
      }, 'Open findings (not fixed, not withdrawn, not "not affected"), known by vulnerability id and package.'),
      sizeDelta: obj(['compressed'], { compressed: int, uncompressed: int }, 'The image minus `to`, in bytes.'),
      baseImage: obj(['image', 'to', 'change'], {
        image: nullableBase,
        to: nullableBase,
        change: { type: 'string', enum: ['unchanged', 'updated', 'replaced', 'added', 'removed', 'none'], description: 'updated: another digest of the same repository; replaced: another repository.' },
      }),
    }),
  },
];
