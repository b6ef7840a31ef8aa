/**
 * The `/v1` reply shapes the dashboard reads: the server's own types (type-only imports, erased
 * from the bundle), so the pages and the API cannot drift apart.
 */
export type {
  ImageSummary,
  ImageDetail,
  StoredLayer as Layer,
  StoredPackage as Package,
  StoredFinding as Finding,
  Usage,
  BaseImageMatch as BaseImage,
  Page,
  TokenInfo as Token,
  ImagePolicy,
  PolicyHistoryEntry,
  SecretScan,
  StoredSecret,
} from '../store/platform-store';
export type { PolicyResult } from '../policy/types';
export type { OverviewData, TrendPoint, VulnerabilitySummary, PackageName, BaseImageUse } from '../store/dashboard-reader';
export type { Workload, Webhook, WebhookDelivery, EnvironmentSummary as Environment } from '../store/kysely/activity-store';
export type { ScoutEvent } from '../notify/events';
export type { Recommendations, Recommendation } from '../platform/recommendations';
export type { Comparison, ComparedPackage, ComparedFinding, PackageChange } from '../platform/compare';

export function imageName(i: { repository?: string; tags: string[]; digest: string }): string {
  const repo = i.repository ?? '(no repository)';
  return i.tags.length ? `${repo}:${i.tags[0]}` : `${repo}@${i.digest.slice(0, 19)}`;
}

export const imageHref = (digest: string, tab?: string) => `/images/${encodeURIComponent(digest)}${tab ? `?tab=${tab}` : ''}`;
export const vulnHref = (id: string) => `/vulnerabilities/${encodeURIComponent(id)}`;
export const packageHref = (purl: string) => `/packages?purl=${encodeURIComponent(purl)}`;
