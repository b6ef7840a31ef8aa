/** Schemas of VEX on the platform: stored OpenVEX documents, and a finding's VEX status. */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;

export const VEX_STATUS_ENUM = ['not_affected', 'affected', 'fixed', 'under_investigation'];
const STATUS = { type: 'string', enum: VEX_STATUS_ENUM } as const;

const obj = (required: string[], properties: Record<string, unknown>, description?: string) => ({ type: 'object', required, additionalProperties: false, properties, ...(description ? { description } : {}) });

const SUMMARY = {
  id: { ...str, description: 'The stored document (GET /v1/vex/ID).' },
  documentId: { ...str, description: "The document's own @id." },
  author: str,
  timestamp: str,
  source: { type: 'string', enum: ['api', 'push'], description: 'api: POST /v1/vex; push: scout push --vex-location.' },
  file: { ...str, description: 'The file scout push read it from.' },
  image: { ...obj(['digest'], { digest: str }), description: 'The image a push sent it with: it speaks of that image only.' },
  statementCount: int,
  vulnerabilities: { ...strings, description: 'The vulnerabilities its statements name (at most 20).' },
  createdAt: str,
  findings: { ...int, description: "How many of the organisation's findings it decides now." },
};
const SUMMARY_REQUIRED = ['id', 'source', 'statementCount', 'vulnerabilities', 'createdAt', 'findings'];

export const VEX_SCHEMAS: Record<string, unknown>[] = [
  {
    $id: 'FindingVex',
    ...obj(['status', 'vulnerability', 'document'], {
      status: STATUS,
      vulnerability: { ...str, description: 'The vulnerability as the statement names it.' },
      justification: str,
      impactStatement: str,
      actionStatement: str,
      statusNotes: str,
      timestamp: { ...str, description: "The statement's timestamp, else its document's." },
      document: obj(['id', 'source'], { id: str, source: SUMMARY.source, documentId: str, author: str, file: str }),
    }, "The VEX statement that decides the finding: of the organisation's statements that name one of its ids and its package or image, the newest (as scout cves --vex-location decides)."),
  },
  { $id: 'VexDocumentSummary', ...obj(SUMMARY_REQUIRED, SUMMARY, 'A VEX document (OpenVEX, or CycloneDX VEX read as OpenVEX statements) the organisation sent.') },
  {
    $id: 'VexDocumentPage',
    ...obj(['items'], { items: { type: 'array', items: { $ref: 'VexDocumentSummary#' } }, next: { ...str, description: 'Pass as `cursor` for the next page; absent on the last page.' } }),
  },
  {
    $id: 'VexDocument',
    ...obj([...SUMMARY_REQUIRED, 'statements'], {
      ...SUMMARY,
      statements: {
        type: 'array',
        items: obj(['vulnerability', 'aliases', 'status', 'products'], {
          vulnerability: str,
          aliases: strings,
          status: STATUS,
          justification: str,
          impactStatement: str,
          actionStatement: str,
          statusNotes: str,
          timestamp: str,
          products: { type: 'array', items: obj(['purls', 'subcomponents'], { purls: strings, subcomponents: strings }) },
        }),
      },
    }),
  },
  {
    $id: 'VexAdded',
    ...obj(['id', 'created', 'changedImages', 'document'], {
      id: str,
      created: { type: 'boolean', description: 'False when the organisation had this very document already (nothing changed).' },
      changedImages: { ...int, description: 'Images where a finding changed VEX status (their policies were judged again).' },
      document: { $ref: 'VexDocument#' },
    }),
  },
  {
    $id: 'PushedVex',
    type: 'array',
    maxItems: 200,
    description: 'VEX documents (OpenVEX, CycloneDX VEX) scout push --vex-location sends with the image: they speak of this image only.',
    items: obj(['document'], { file: { type: 'string', maxLength: 4096 }, document: { type: 'object', additionalProperties: true } }),
  },
];
