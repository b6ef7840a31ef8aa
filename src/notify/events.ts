/**
 * What the platform tells organisations about, stored in the `events` outbox, listed at
 * `/v1/events` and delivered to webhooks. Ids are UUIDv7: they order events in time, page the
 * list (`?after=`), and let a receiver deduplicate a redelivered event.
 */
import type { SeverityLevel } from '../match/severity.js';

export type EventKind = 'vulnerability.new' | 'vulnerability.fixed' | 'vulnerability.withdrawn' | 'image.pushed' | 'policy.changed';
export const EVENT_KINDS: readonly EventKind[] = ['vulnerability.new', 'vulnerability.fixed', 'vulnerability.withdrawn', 'image.pushed', 'policy.changed'];

/** For `policy.changed`: the image's verdict before and after, and the policies whose status moved. */
export interface PolicyEventDetail {
  status: 'pass' | 'fail' | 'unknown';
  previousStatus: 'pass' | 'fail' | 'unknown';
  grade: string | null;
  previousGrade: string | null;
  /** A policy that appeared or went away has `null` on that side. */
  policies: { id: string; title: string; status: string | null; previous: string | null }[];
}

/** Where an image runs when the event is made (from `scout environment` and runtime integrations). */
export interface EventEnvironment {
  name: string;
  workloads: { cluster?: string; namespace?: string; name: string; type: string }[];
}

export interface ScoutEvent {
  id: string;
  kind: EventKind;
  createdAt: string;
  image: { digest: string; repository?: string; tags: string[] };
  /** For vulnerability events: the vulnerability and the image's packages it concerns. */
  vulnerability?: {
    id: string;
    severity: SeverityLevel;
    packages: { purl: string; version: string; fixedVersions: string[] }[];
  };
  /** For `policy.changed`. */
  policy?: PolicyEventDetail;
  environments: EventEnvironment[];
}

/** One line saying what happened, for Slack and logs. */
export function describeEvent(e: ScoutEvent): string {
  const image = `${e.image.repository ?? 'image'}${e.image.tags.length ? `:${e.image.tags[0]}` : ''}@${e.image.digest.slice(0, 19)}`;
  const where = e.environments.length ? ` (running in ${e.environments.map((env) => env.name).join(', ')})` : '';
  const v = e.vulnerability;
  const pkgs = v ? v.packages.map((p) => `${p.purl}`).join(', ') : '';
  switch (e.kind) {
    case 'vulnerability.new':
      return `${v?.id} (${v?.severity}) affects ${image}${where}: ${pkgs}`;
    case 'vulnerability.fixed':
      return `${v?.id} is fixed in ${image}${where}: ${pkgs}`;
    case 'vulnerability.withdrawn':
      return `${v?.id} was withdrawn; it no longer applies to ${image}${where}`;
    case 'image.pushed':
      return `new image pushed: ${image}${where}`;
    case 'policy.changed': {
      const p = e.policy;
      const grade = p?.grade ? `, grade ${p.previousGrade ?? '–'} → ${p.grade}` : '';
      return `policies ${p?.previousStatus} → ${p?.status} for ${image}${where}${grade}: ${(p?.policies ?? []).map((x) => `${x.id} ${x.previous ?? 'new'} → ${x.status ?? 'gone'}`).join(', ')}`;
    }
  }
}
