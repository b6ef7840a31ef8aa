/** The caller's OrgActivity (events, webhooks, environments), opened for the token's org only. */
import type { FastifyRequest } from 'fastify';
import { OrgActivity } from '../store/kysely/activity-store.js';
import { KyselyPlatformStore } from '../store/kysely/platform-store.js';
import type { PlatformStore } from '../store/platform-store.js';
import { ScoutError } from '../util/errors.js';

export function platformDb(platform: PlatformStore) {
  if (!(platform instanceof KyselyPlatformStore)) throw new ScoutError('store-unsupported', 'this platform store has no continuous tables');
  return platform.db;
}

export function activityOf(req: FastifyRequest): OrgActivity {
  return new OrgActivity(platformDb(req.server.deps.platform), req.caller.org);
}
