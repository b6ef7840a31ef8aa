/** Schemas of the continuous routes: events, webhooks and their deliveries, environments. */
const str = { type: 'string' } as const;
const strs = { type: 'array', items: str } as const;
const obj = (required: string[], properties: Record<string, unknown>) => ({ type: 'object', required, additionalProperties: false, properties });
const page = (item: string) => obj(['items'], { items: { type: 'array', items: { $ref: `${item}#` } }, next: str });

export const EVENT_KIND_ENUM = ['vulnerability.new', 'vulnerability.fixed', 'vulnerability.withdrawn', 'image.pushed', 'policy.changed'];
const VERDICT = { type: 'string', enum: ['pass', 'fail', 'unknown'] } as const;
const nullableStr = { type: ['string', 'null'] } as const;

const environment = obj(['name', 'workloads'], {
  name: str,
  workloads: { type: 'array', items: obj(['name', 'type'], { cluster: str, namespace: str, name: str, type: str }) },
});

export const CONTINUOUS_SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'Event',
    ...obj(['id', 'kind', 'createdAt', 'image', 'environments'], {
      id: { ...str, description: 'UUIDv7: orders events in time; deduplicate deliveries on it.' },
      kind: { type: 'string', enum: EVENT_KIND_ENUM },
      createdAt: str,
      image: obj(['digest', 'tags'], { digest: str, repository: str, tags: strs }),
      vulnerability: obj(['id', 'severity', 'packages'], {
        id: str,
        severity: str,
        packages: { type: 'array', items: obj(['purl', 'version', 'fixedVersions'], { purl: str, version: str, fixedVersions: strs }) },
      }),
      policy: {
        ...obj(['status', 'previousStatus', 'grade', 'previousGrade', 'policies'], {
          status: VERDICT,
          previousStatus: VERDICT,
          grade: nullableStr,
          previousGrade: nullableStr,
          policies: { type: 'array', items: obj(['id', 'title', 'status', 'previous'], { id: str, title: str, status: nullableStr, previous: nullableStr }) },
        }),
        description: 'For policy.changed: the verdict before and after, and the policies whose status moved (null: the policy appeared or went away).',
      },
      environments: { type: 'array', items: environment, description: 'Where the image ran when the event was made.' },
    }),
  },
  { $id: 'EventPage', ...page('Event') },
  {
    $id: 'Webhook',
    ...obj(['id', 'url', 'format', 'createdAt', 'signed'], {
      id: str,
      url: str,
      format: { type: 'string', enum: ['json', 'slack'] },
      kinds: { type: 'array', items: { type: 'string', enum: EVENT_KIND_ENUM } },
      createdAt: str,
      signed: { type: 'boolean' },
    }),
  },
  {
    $id: 'WebhookDelivery',
    ...obj(['id', 'eventId', 'attempt', 'state', 'durationMs', 'createdAt'], {
      id: str,
      eventId: str,
      attempt: { type: 'integer' },
      state: { type: 'string', enum: ['delivered', 'retrying', 'failed'] },
      statusCode: { type: 'integer' },
      error: str,
      durationMs: { type: 'integer' },
      createdAt: str,
      nextAttemptAt: str,
    }),
  },
  { $id: 'WebhookDeliveryPage', ...page('WebhookDelivery') },
  {
    $id: 'Workload',
    ...obj(['id', 'environment', 'source', 'cluster', 'namespace', 'name', 'type', 'imageRef', 'startedAt'], {
      id: str,
      environment: str,
      source: { type: 'string', enum: ['runtime', 'manual'] },
      cluster: str,
      namespace: str,
      name: str,
      type: str,
      imageRef: str,
      imageDigest: str,
      startedAt: str,
      endedAt: { ...str, description: 'When it stopped running this image (absent: running now).' },
    }),
  },
  { $id: 'WorkloadPage', ...page('Workload') },
  { $id: 'WebhookPage', ...page('Webhook') },
  {
    $id: 'Environment',
    ...obj(['name', 'workloads', 'images', 'lastChangeAt'], {
      name: str,
      workloads: { type: 'integer', description: 'Workloads running there now.' },
      images: { type: 'integer', description: 'Distinct image references they run.' },
      lastChangeAt: { ...str, description: 'When the latest of them started.' },
    }),
  },
  { $id: 'EnvironmentPage', ...page('Environment') },
  {
    $id: 'RuntimeInventory',
    type: 'object',
    required: ['environment', 'cluster', 'workloads'],
    additionalProperties: false,
    properties: {
      environment: { type: 'string', minLength: 1, maxLength: 63 },
      cluster: { type: 'string', minLength: 1, maxLength: 253 },
      observedAt: str,
      workloads: {
        type: 'array',
        maxItems: 100000,
        items: {
          type: 'object',
          required: ['namespace', 'name', 'type', 'images'],
          additionalProperties: false,
          properties: {
            namespace: { type: 'string', maxLength: 253 },
            name: { type: 'string', minLength: 1, maxLength: 253 },
            type: { type: 'string', minLength: 1, maxLength: 63 },
            images: {
              type: 'array',
              maxItems: 100,
              items: { type: 'object', required: ['ref'], additionalProperties: false, properties: { ref: { type: 'string', minLength: 1, maxLength: 1000 }, digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } } },
            },
          },
        },
      },
    },
  },
];
