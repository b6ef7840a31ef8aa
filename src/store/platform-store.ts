/**
 * The platform's store: organisations, tokens, and each organisation's images, SBOMs and
 * findings. Implemented once over Kysely for SQLite and PostgreSQL (src/store/kysely/).
 *
 * Tenancy is checked here and only here: everything an organisation owns is reached through
 * `PlatformStore.forOrg(org)`, whose queries all carry that org's id. Shared tables (layers,
 * packages) never answer on their own; they are joined through org-owned rows. The public
 * catalogue is an organisation too (`catalog: true`): other organisations' base-image lookups
 * see its images, nothing else does.
 *
 * Rules an implementation keeps:
 * - `putImage` is all or nothing and idempotent by (org, digest): pushing a stored digest again
 *   only marks it seen and moves the tags given, and answers with what is stored.
 * - deleting an image, a repository or an organisation removes every row that belonged only to
 *   it (shared layers and packages included, once nothing else uses them).
 * - every list is paged by an opaque cursor (keyset, never OFFSET).
 */
import type { ImageMetadata } from '../image/metadata.js';
import type { Finding } from '../match/types.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import type { SeverityLevel } from '../match/severity.js';
import type { DashboardReader } from './dashboard-reader.js';
import type { Recommendations } from '../platform/recommendations.js';
import type { StoredProvenance } from '../policy/input.js';
import type { HealthScore } from '../policy/evaluate.js';
import type { PolicyResult, PolicyStatus } from '../policy/types.js';
import type { VexDocument } from '../match/vex.js';
import type { FindingVex, VexDocumentDetail, VexDocumentSummary, VexFilter, VexSource } from './kysely/vex-store.js';

export type TokenScope = 'read' | 'write' | 'admin';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

export interface Org {
  id: string;
  name: string;
  /** The public catalogue of base images. */
  catalog: boolean;
  /** Images not pushed or seen for this many days are deleted by `prune`; null keeps them. */
  retentionDays: number | null;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  orgId: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** Who is calling: the token's organisation and scope. */
export interface Caller {
  org: Org;
  token: TokenInfo;
}

export interface PageRequest {
  /** 1..500, default 50. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  next?: string;
  /** How many items all pages hold, where a list counts them (image lists do). */
  total?: number;
}

export type SeverityCounts = Record<SeverityLevel, number>;

export interface RepositorySummary {
  name: string;
  createdAt: string;
  lastPushedAt: string;
  imageCount: number;
  tags: string[];
}

/** A current tag of a repository and the stored image it points at. */
export interface RepositoryTag {
  tag: string;
  digest: string;
  /** The multi-platform index the image was picked from, when it was. */
  indexDigest?: string;
  /** Since when the tag points at this image. */
  since: string;
}

export interface ImageSummary {
  digest: string;
  repository?: string;
  /** Tags of its repository that point at it now. */
  tags: string[];
  created?: string;
  pushedAt: string;
  lastSeenAt: string;
  platform: { os: string; architecture: string; variant?: string };
  os: { name?: string; version?: string };
  registry?: { host?: string; url?: string; type?: string };
  size: { compressed: number; uncompressed?: number };
  layerCount: number;
  packageCount: number;
  /** Open findings (not fixed, not withdrawn) by severity. */
  vulnerabilities: SeverityCounts;
  /** In lists: the base image, when one is known (the detail always says). */
  baseImage?: BaseImageMatch;
  /** The latest policy evaluation's verdict; absent before the first one. */
  policy?: PolicySummary;
}

export interface BaseImageMatch {
  digest: string;
  repository?: string;
  /** Every current tag of its repository pointing at that digest. */
  tags: string[];
  /**
   * How many of the image's layers the base image accounts for (its own layer count); absent
   * when provenance named a base image the platform does not hold (its layers are unknown).
   */
  layers?: number;
  /** Found in the public catalogue rather than the organisation's own images. */
  catalog: boolean;
  /** provenance: the image's provenance attestation named it; layers: the longest stored layer prefix. */
  from: 'provenance' | 'layers';
  /** The reference the provenance gives (`alpine:3.20`), when it named the base. */
  name?: string;
}

/** Attestations found beside a pushed image (`scout push` looks for them). */
export interface PushedAttestations {
  provenance: boolean;
  sbom: boolean;
}

/** A secret finding as the platform keeps it: where, which rule, the value masked (never whole). */
export interface StoredSecret {
  rule: string;
  title: string;
  severity: string;
  source: 'file' | 'env' | 'label' | 'history';
  location: string;
  layer?: { index: number; digest: string };
  /** A later layer deleted the file: it still ships in its own layer. */
  deletedIn?: { index: number };
  replacedIn?: { index: number };
  line?: number;
  masked: string;
}

/** The secret scan of `scout push --secrets`. */
export interface SecretScan {
  scannedAt: string;
  findings: StoredSecret[];
  /** Files not read: binaries, over the size cap, packages' own tests. */
  skipped: { binary: number; overCap: number; packageTest: number };
  /** Layers that could not be read (their files were not searched). */
  unreadLayers: number[];
}

/**
 * An image's verdict: `fail` when a policy fails (or a custom one errs), `pass` when at least
 * one passes and none fails, `unknown` when none could be judged.
 */
export type ImagePolicyStatus = 'pass' | 'fail' | 'unknown';

export interface PolicySummary {
  status: ImagePolicyStatus;
  grade: HealthScore['grade'];
  score: number | null;
  evaluatedAt: string;
}

export interface ImagePolicy extends PolicySummary {
  health: HealthScore;
  results: PolicyResult[];
}

/** One change of an image's policy results. */
export interface PolicyHistoryEntry {
  evaluatedAt: string;
  /** policy-config: the organisation's policy configuration changed; vex: VEX statements arrived or went. */
  trigger: 'push' | 'rematch' | 'policy-config' | 'vex';
  status: ImagePolicyStatus;
  grade: HealthScore['grade'];
  score: number | null;
  results: { id: string; status: PolicyStatus; violations: number }[];
}

export interface ImageDetail extends ImageSummary {
  metadata: ImageMetadata;
  distro?: DistroInfo;
  baseImage?: BaseImageMatch;
  /** Whether provenance and SBOM attestations came with the push; absent when the push did not say. */
  attestations?: PushedAttestations;
  /** The provenance facts the platform keeps: materials, base image, VCS information, Dockerfile. */
  provenance?: StoredProvenance;
}

export interface StoredLayer {
  position: number;
  digest: string;
  diffId: string;
  chainId: string;
  mediaType: string;
  size: number;
  uncompressedSize?: number;
  createdBy?: string;
  created?: string;
}

/** A package as an image holds it: every SBOM field. */
export type StoredPackage = Package;

export interface StoredFinding {
  vulnerabilityId: string;
  ids: string[];
  purl: string;
  packageName: string;
  packageVersion: string;
  packageType: string;
  severity: SeverityLevel;
  cvssScore?: number;
  status: string;
  fixedVersions: string[];
  kev: boolean;
  epss?: { score: number; percentile: number };
  summary?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  fixedAt?: string;
  withdrawnAt?: string;
  /** The VEX statement that decides it (the organisation's statements, src/store/kysely/vex-store.ts); absent: none applies. */
  vex?: FindingVex;
}

/** A finding's VEX status as filters name it: a statement's status, or `none` (no statement applies). */
export type VexStatusFilter = FindingVex['status'] | 'none';

export interface FindingFilter {
  /** Only findings whose VEX status is one of these. */
  vex?: readonly VexStatusFilter[];
}

/** Where a vulnerability or a package is found in the organisation's images. */
export interface Usage {
  digest: string;
  repository?: string;
  tags: string[];
  purl: string;
  packageVersion: string;
  /** For vulnerability usage. */
  vulnerabilityId?: string;
  severity?: SeverityLevel;
  status?: string;
  fixedVersions?: string[];
  /** For vulnerability usage: the VEX statement that decides the finding, when one applies. */
  vex?: FindingVex;
}

/** What a push stores: the SBOM's image metadata, packages and distro, and its findings. */
export interface ImageUpload {
  metadata: ImageMetadata;
  packages: readonly Package[];
  distro?: DistroInfo;
  findings: readonly Finding[];
  repository?: string;
  tags?: readonly string[];
  /** What `scout push` found in the image's attestations (absent: not looked for). */
  attestations?: PushedAttestations;
  provenance?: StoredProvenance;
  /** `scout push --secrets` (absent: the layers were not searched). */
  secrets?: SecretScan;
}

export interface PutResult {
  /** False when the digest was already stored (nothing but last-seen and tags changed). */
  created: boolean;
  image: ImageDetail;
}

export interface ImageFilter {
  repository?: string;
  /** Text found (case-insensitive) in the repository name, a current tag (as `repository:tag`), the digest or the OS name. */
  q?: string;
  /** Open findings: `critical` at least one critical; `high` critical or high; `medium` medium or worse; `none` no open finding. */
  severity?: 'critical' | 'high' | 'medium' | 'none';
}

/** `vulnerabilities`: by open critical, then high, medium and low counts. */
export type ImageSortKey = 'pushed' | 'name' | 'created' | 'size' | 'packages' | 'vulnerabilities';
export const IMAGE_SORT_KEYS: readonly ImageSortKey[] = ['pushed', 'name', 'created', 'size', 'packages', 'vulnerabilities'];

/** How an image list is ordered (default: last pushed first). Paging stays keyset on (key, id). */
export interface ImageSort {
  by: ImageSortKey;
  order: 'asc' | 'desc';
}

export interface PackageFilter {
  /** Text found (case-insensitive) in the purl, the name, a license, a path or any other stored field. */
  q?: string;
}

/**
 * Runs in the transaction that stores (or, for onSupplied, adds to) an image. For a new image,
 * `stored` is the image as its rows now read (policy-store.ts imageFactsOfRows): what a
 * re-evaluation would read back, without reading it.
 */
export type OnImageCreated = (trx: import('kysely').Transaction<import('./kysely/schema.js').PlatformDatabase>, imageId: string, stored?: import('./kysely/policy-store.js').StoredImageFacts) => Promise<void>;

/** Runs in the transaction that changed findings' VEX status, with the images concerned (their policies are judged again). */
export type OnVexChanged = (trx: import('kysely').Transaction<import('./kysely/schema.js').PlatformDatabase>, imageIds: string[]) => Promise<void>;

export interface OrgStore {
  readonly org: Org;
  /** Organisation-wide views: overview, vulnerabilities, package names, base images in use. */
  readonly dashboard: DashboardReader;
  /**
   * `onCreated` runs inside the transaction that stores a new image (never for a digest already
   * stored), with that transaction (a Kysely transaction on the platform database) and the new
   * image's id: what it writes (the `image.pushed` event) commits with the image or not at all.
   * A push of a stored digest adds the attestations, provenance and secret scan the image
   * lacked (a scan replaces the stored one); `onSupplied` then runs in that transaction.
   */
  putImage(upload: ImageUpload, now?: Date, onCreated?: OnImageCreated, onSupplied?: OnImageCreated): Promise<PutResult>;
  getImage(digest: string): Promise<ImageDetail | undefined>;
  /** Whether the organisation has stored this digest: one indexed read, where getImage reads the whole image. */
  hasImage(digest: string): Promise<boolean>;
  /** Images with their base image, filtered and sorted; `total` counts every match. */
  listImages(filter: ImageFilter, page: PageRequest, sort?: ImageSort): Promise<Page<ImageSummary>>;
  listRepositories(page: PageRequest): Promise<Page<RepositorySummary>>;
  /** A repository's current tags, by name, a page at a time, with the image each points at (whatever repository that image was pushed to); undefined when there is no such repository. */
  repositoryTags(repository: string, page: PageRequest): Promise<Page<RepositoryTag> | undefined>;
  /**
   * Points tags of a repository (made when new) at a stored image, as a push of that digest
   * with those tags does, and marks the image seen; undefined when the digest is not stored.
   */
  tagImage(digest: string, repository: string, tags: readonly string[], now?: Date): Promise<ImageDetail | undefined>;
  /**
   * Removes a current tag of a repository (its history row is closed, as a moved tag's is); the
   * image stays, for retention to judge. False when the repository has no such current tag.
   */
  untag(repository: string, tag: string, now?: Date): Promise<boolean>;
  /** Marks stored images seen now (what retention counts from), by digest; returns how many of them are stored. */
  markSeen(digests: readonly string[], now?: Date): Promise<number>;
  /** An image's layers, bottom first, a page at a time; undefined when the digest is not stored. */
  imageLayers(digest: string, page: PageRequest): Promise<Page<StoredLayer> | undefined>;
  imagePackages(digest: string, page: PageRequest, filter?: PackageFilter): Promise<Page<StoredPackage> | undefined>;
  imageFindings(digest: string, page: PageRequest, filter?: FindingFilter): Promise<Page<StoredFinding> | undefined>;
  /** The secret scan pushed with the image: undefined for no image, null when its layers were not searched. */
  imageSecrets(digest: string): Promise<SecretScan | null | undefined>;
  /** The latest policy evaluation and the history of its changes, newest first; undefined for no image. */
  imagePolicy(digest: string): Promise<{ current: ImagePolicy | null; history: PolicyHistoryEntry[] } | undefined>;
  /** Images and packages of this organisation with a finding for this id (CVE, GHSA, … any alias). */
  vulnerabilityUsage(id: string, page: PageRequest): Promise<Page<Usage>>;
  /**
   * Stores OpenVEX documents for the organisation (the same document again is the stored one):
   * for one image when `imageDigest` is given (a push's --vex-location; undefined when no such
   * image), else for every image their products name. The findings they name get their VEX
   * status; `onChanged` runs in that transaction with the images where a status changed.
   */
  addVex(docs: readonly VexDocument[], opts: { source: VexSource; imageDigest?: string; by?: string; files?: readonly (string | undefined)[] }, onChanged?: OnVexChanged): Promise<{ ids: string[]; created: boolean[]; changedImages: number } | undefined>;
  listVex(filter: VexFilter, page: PageRequest): Promise<Page<VexDocumentSummary>>;
  getVex(id: string): Promise<VexDocumentDetail | undefined>;
  /** False when the organisation has no such document. */
  deleteVex(id: string, onChanged?: OnVexChanged): Promise<boolean>;
  /** Images of this organisation holding this package; a purl without version matches every version. */
  packageUsage(purl: string, page: PageRequest): Promise<Page<Usage>>;
  /** The longest proper prefix of this chain among this org's images and the public catalogue. */
  findBaseImage(chainIds: readonly string[]): Promise<BaseImageMatch | undefined>;
  /** The base image of this chain and the other tagged images of its repository, ranked (platform/recommendations.ts). */
  recommendBaseImages(chainIds: readonly string[]): Promise<Recommendations>;
  deleteImage(digest: string): Promise<boolean>;
  deleteRepository(name: string): Promise<boolean>;
  setRetention(days: number | null): Promise<Org>;
  /** Deletes images neither pushed nor seen for `retentionDays`; returns how many. */
  prune(now?: Date): Promise<number>;
  /** The organisation's tokens by creation, oldest first, a page at a time. */
  listTokens(page: PageRequest): Promise<Page<TokenInfo>>;
  createToken(name: string, scope: TokenScope): Promise<{ token: string; info: TokenInfo }>;
  revokeToken(id: string): Promise<boolean>;
}

export interface PlatformStore {
  /** The store of this organisation (an Org from `authenticate`, `orgByName` or `ensureOrg`). */
  forOrg(org: Org): OrgStore;
  /** Creates the organisation, or returns it when it exists. */
  ensureOrg(name: string, opts?: { catalog?: boolean }): Promise<Org>;
  orgByName(name: string): Promise<Org | undefined>;
  listOrgs(): Promise<Org[]>;
  /** The token's caller, or undefined for an unknown or revoked token (also marks it used). */
  authenticate(token: string): Promise<Caller | undefined>;
  /** The caller of a dashboard session: the token with this id, unless revoked (also marks it used). */
  callerByTokenId(id: string): Promise<Caller | undefined>;
  /** Token by id, with its org: for `scout server token revoke`. */
  tokenById(id: string): Promise<TokenInfo | undefined>;
  deleteOrg(orgId: string): Promise<boolean>;
  /** Prunes every organisation with a retention setting. */
  pruneAll(now?: Date): Promise<number>;
  /** Rows per platform table (tests and status). */
  tableCounts(): Promise<Record<string, number>>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly schemaVersion: number;
  close(): Promise<void>;
}
