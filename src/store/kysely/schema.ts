/**
 * The platform tables as Kysely sees them (one query set for SQLite and PostgreSQL). Column
 * types are chosen so their runtime values agree on both backends: text ids and ISO timestamps,
 * integer counts (int8 is parsed to a number on the pg pool), JSON as text.
 * Migrations never import this file: it describes the latest schema, they are frozen.
 */
import type { Generated } from 'kysely';

export interface OrgsTable {
  id: string;
  name: string;
  catalog: Generated<number>;
  retention_days: number | null;
  created_at: string;
}

export interface TokensTable {
  id: string;
  org_id: string;
  name: string;
  scope: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface RepositoriesTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
  last_pushed_at: string;
}

export interface ImagesTable {
  id: string;
  org_id: string;
  repository_id: string | null;
  digest: string;
  index_digest: string | null;
  config_digest: string;
  created: string | null;
  pushed_at: string;
  last_seen_at: string;
  os: string;
  architecture: string;
  variant: string | null;
  os_name: string | null;
  os_version: string | null;
  registry_host: string | null;
  registry_url: string | null;
  registry_type: string | null;
  size_compressed: number;
  size_uncompressed: number | null;
  layer_count: number;
  package_count: number;
  top_chain_id: string;
  distro: string | null;
  /** Open findings by severity, and open critical and high with a fix (image-counts.ts keeps them). */
  open_critical: Generated<number>;
  open_high: Generated<number>;
  open_medium: Generated<number>;
  open_low: Generated<number>;
  open_negligible: Generated<number>;
  open_unknown: Generated<number>;
  fixable_critical: Generated<number>;
  fixable_high: Generated<number>;
}

/** The whole ImageMetadata of an image as JSON (only an image's detail reads it). */
export interface ImageMetadataTable {
  image_id: string;
  org_id: string;
  metadata: string;
}

export interface TagsTable {
  id: string;
  org_id: string;
  repository_id: string;
  name: string;
  image_id: string;
  since_at: string;
  until_at: string | null;
}

export interface LayersTable {
  chain_id: string;
  diff_id: string;
  parent_chain_id: string | null;
  depth: number;
  uncompressed_size: number | null;
}

export interface ImageLayersTable {
  image_id: string;
  position: number;
  org_id: string;
  chain_id: string;
  digest: string;
  media_type: string;
  size: number;
  created_by: string | null;
  created: string | null;
}

export interface PackagesTable {
  purl: string;
  type: string;
  namespace: string | null;
  name: string;
  version: string;
  ecosystem: string | null;
  match_name: string | null;
}

export interface ImagePackagesTable {
  image_id: string;
  ordinal: number;
  org_id: string;
  purl: string;
  layer_diff_id: string | null;
  relationship: string | null;
  detail: string;
}

/** Which images have a purl: image_packages by purl, filled in batches (package-index.ts, migration 011). */
export interface PackageImagesTable {
  purl: string;
  org_id: string;
  /** When its batch was indexed (ms): a batch's entries go to the end of each purl's run. */
  batch: number;
  image_id: string;
  ordinal: number;
}

/** A stored image whose packages are not in package_images yet. */
export interface PackageIndexPendingTable {
  image_id: string;
  org_id: string;
}

export interface FindingsTable {
  image_id: string;
  purl: string;
  vulnerability_id: string;
  org_id: string;
  severity: string;
  cvss_score: number | null;
  status: string;
  fixed_version: string | null;
  kev: number;
  first_seen_at: string;
  last_seen_at: string;
  fixed_at: string | null;
  withdrawn_at: string | null;
  detail: string;
}

/** Every id a vulnerability is known by in an organisation's findings, its own too (migration 008). */
export interface VulnerabilityAliasesTable {
  org_id: string;
  vulnerability_id: string;
  alias: string;
}

export interface EventsTable {
  id: string;
  org_id: string;
  kind: string;
  created_at: string;
  image_id: string;
  image_digest: string;
  vulnerability_id: string | null;
  payload: string;
}

export interface WebhooksTable {
  id: string;
  org_id: string;
  url: string;
  format: string;
  secret: string | null;
  kinds: string | null;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  org_id: string;
  webhook_id: string;
  event_id: string;
  attempt: number;
  state: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
  next_attempt_at: string | null;
}

export interface WorkloadsTable {
  id: string;
  org_id: string;
  environment: string;
  source: string;
  cluster: string;
  namespace: string;
  name: string;
  type: string;
  image_ref: string;
  image_digest: string | null;
  started_at: string;
  ended_at: string | null;
}

/** Attestations and provenance of a pushed image (migration 005). */
export interface ImageProvenanceTable {
  image_id: string;
  org_id: string;
  has_provenance: number;
  has_sbom: number;
  base_name: string | null;
  base_digest: string | null;
  provenance: string | null;
}

/** The secret scan of `scout push --secrets`: masked findings only. */
export interface ImageSecretsTable {
  image_id: string;
  org_id: string;
  scanned_at: string;
  finding_count: number;
  report: string;
}

/** An image's latest policy evaluation. */
export interface PolicyResultsTable {
  image_id: string;
  org_id: string;
  status: string;
  grade: string | null;
  score: number | null;
  evaluated_at: string;
  report: string;
}

/** One row each time an image's policy results changed. */
export interface PolicyHistoryTable {
  id: string;
  org_id: string;
  image_id: string;
  evaluated_at: string;
  trigger: string;
  status: string;
  grade: string | null;
  score: number | null;
  results: string;
}

/** An organisation's policy configuration (migration 007). */
export interface OrgPoliciesTable {
  org_id: string;
  config: string | null;
  generation: number;
  updated_at: string;
  updated_by: string | null;
}

/** An OpenVEX document an organisation sent (migration 010). */
export interface VexDocumentsTable {
  id: string;
  org_id: string;
  document_id: string | null;
  author: string | null;
  timestamp: string | null;
  source: string;
  file: string | null;
  image_id: string | null;
  content_hash: string;
  statement_count: number;
  created_at: string;
  created_by: string | null;
}

export interface VexStatementsTable {
  vex_id: string;
  ordinal: number;
  org_id: string;
  vulnerability: string;
  status: string;
  statement: string;
}

/** Every id (upper case) a statement names. */
export interface VexStatementIdsTable {
  org_id: string;
  vulnerability: string;
  vex_id: string;
  ordinal: number;
}

/** The statement deciding a finding's VEX status (no row: none applies). */
export interface FindingVexTable {
  image_id: string;
  purl: string;
  vulnerability_id: string;
  org_id: string;
  status: string;
  vex_id: string;
  detail: string;
}

export interface PlatformMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface PlatformDatabase {
  orgs: OrgsTable;
  tokens: TokensTable;
  repositories: RepositoriesTable;
  images: ImagesTable;
  image_metadata: ImageMetadataTable;
  tags: TagsTable;
  layers: LayersTable;
  image_layers: ImageLayersTable;
  packages: PackagesTable;
  image_packages: ImagePackagesTable;
  package_images: PackageImagesTable;
  package_index_pending: PackageIndexPendingTable;
  findings: FindingsTable;
  vulnerability_aliases: VulnerabilityAliasesTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  workloads: WorkloadsTable;
  image_provenance: ImageProvenanceTable;
  image_secrets: ImageSecretsTable;
  policy_results: PolicyResultsTable;
  policy_history: PolicyHistoryTable;
  org_policies: OrgPoliciesTable;
  vex_documents: VexDocumentsTable;
  vex_statements: VexStatementsTable;
  vex_statement_ids: VexStatementIdsTable;
  finding_vex: FindingVexTable;
  platform_migrations: PlatformMigrationsTable;
}

/** Every platform table, children before parents (the order deletes and counts use). */
export const PLATFORM_TABLES = [
  'webhook_deliveries',
  'webhooks',
  'events',
  'workloads',
  'policy_history',
  'policy_results',
  'image_secrets',
  'image_provenance',
  'org_policies',
  'finding_vex',
  'vex_statement_ids',
  'vex_statements',
  'vex_documents',
  'vulnerability_aliases',
  'findings',
  'package_index_pending',
  'package_images',
  'image_packages',
  'packages',
  'image_layers',
  'layers',
  'tags',
  'image_metadata',
  'images',
  'repositories',
  'tokens',
  'orgs',
] as const satisfies readonly (keyof PlatformDatabase)[];
