/**
 * The organisation's policy configuration: which built-in policies judge its images, with which
 * parameters, and its custom CEL policies. The configuration is a policy file, the format of
 * `scout policy --policy-file` (YAML or JSON), checked as that command checks it: a mistake is
 * a 400 naming the line. Reading needs a read token, changing it an admin one. A change queues
 * the re-evaluation of every stored image (a `reevaluate-policies` job, committed with the
 * change), which records history rows and `policy.changed` events as a re-match does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BUILTIN_POLICIES } from '../../../policy/builtin.js';
import { defaultPolicyConfig, parsePolicyConfig, type PolicyConfig } from '../../../policy/config.js';
import { ORG_POLICY_FILE, policiesOf } from '../../../platform/policy-evaluation.js';
import { readOrgPolicies, writeOrgPolicies } from '../../../store/kysely/org-policies.js';
import { ScoutError } from '../../../util/errors.js';
import { platformDb } from '../../activity.js';
import { ERROR_REPLIES } from '../../schemas/index.js';

/** The largest policy file a PUT takes. */
export const MAX_POLICY_CONFIG = 256 * 1024;

export interface ConfiguredPolicy {
  id: string;
  title: string;
  kind: 'builtin' | 'custom';
  enabled: boolean;
  weight: number;
  fix: string;
  /** A built-in policy's parameters in force (its defaults when it is off). */
  params?: Record<string, unknown>;
  /** A custom policy's CEL expression. */
  expression?: string;
}

export interface OrgPolicies {
  config: string | null;
  generation: number;
  updatedAt?: string;
  problem?: string;
  policies: ConfiguredPolicy[];
  job?: string;
}

/** Every built-in policy (on or off) and every custom one, as the configuration sets them. */
export function configuredPolicies(config: PolicyConfig): ConfiguredPolicy[] {
  const on = new Map(config.builtins.map((b) => [b.policy.id, b.params]));
  const defaults = new Map(defaultPolicyConfig().builtins.map((b) => [b.policy.id, b.params]));
  return [
    ...BUILTIN_POLICIES.map((p) => ({ id: p.id, title: p.title, kind: 'builtin' as const, enabled: on.has(p.id), weight: p.weight, fix: p.fix, params: on.get(p.id) ?? defaults.get(p.id)! })),
    ...config.custom.map((c) => ({ id: c.id, title: c.title, kind: 'custom' as const, enabled: true, weight: c.weight, fix: c.fix, expression: c.expression })),
  ];
}

async function current(req: FastifyRequest): Promise<OrgPolicies> {
  const db = platformDb(req.server.deps.platform);
  const stored = await readOrgPolicies(db, req.caller.org.id);
  const { config, problem } = await policiesOf(db, req.caller.org.id);
  return { config: stored.config, generation: stored.generation, ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}), ...(problem ? { problem } : {}), policies: configuredPolicies(config) };
}

/** Stores the configuration (null: the defaults) and queues the re-evaluation with it. */
async function change(req: FastifyRequest, text: string | null): Promise<OrgPolicies> {
  const jobs = req.server.deps.jobs;
  if (!jobs) throw new ScoutError('store-no-jobs', 'this server runs no job queue: the images could not be judged again');
  // Checked before anything is stored: a mistake is the caller's 400, the old configuration stays.
  if (text !== null) parsePolicyConfig(text, ORG_POLICY_FILE);
  const db = platformDb(req.server.deps.platform);
  const orgId = req.caller.org.id;
  const job = await db.transaction().execute(async (trx) => {
    const generation = await writeOrgPolicies(trx, orgId, text, new Date().toISOString(), req.caller.token.id);
    return jobs.enqueueReevaluation(trx, orgId, generation);
  });
  return { ...(await current(req)), job };
}

export default async function policyRoutes(app: FastifyInstance): Promise<void> {
  const reply = { type: 'object', required: ['config', 'generation', 'policies'], additionalProperties: false, properties: {
    config: { type: ['string', 'null'], description: 'The policy file as stored (YAML or JSON); null: the built-in policies with their default parameters.' },
    generation: { type: 'integer', description: 'Moves on every change; 0 before the first.' },
    updatedAt: { type: 'string' },
    problem: { type: 'string', description: 'The stored configuration no longer reads (after an upgrade): the images are judged by the defaults until it is saved again.' },
    policies: { type: 'array', items: { $ref: 'ConfiguredPolicy#' } },
    job: { type: 'string', description: 'The re-evaluation job queued by this change.' },
  } } as const;
  app.get('/policies', {
    schema: {
      tags: ['policies'],
      operationId: 'getPolicies',
      summary: "The organisation's policy configuration and every policy it turns on or off, with the parameters in force",
      response: { 200: reply, ...ERROR_REPLIES },
    },
  }, async (req) => current(req));

  app.put('/policies', {
    config: { scope: 'admin' },
    bodyLimit: MAX_POLICY_CONFIG + 4096,
    schema: {
      tags: ['policies'],
      operationId: 'putPolicies',
      summary: "Replace the organisation's policy configuration (a policy file, YAML or JSON, as scout policy --policy-file reads), and judge every stored image again by it (a job; policy.changed events where a status moves)",
      body: { type: 'object', required: ['config'], additionalProperties: false, properties: { config: { type: 'string', maxLength: MAX_POLICY_CONFIG } } },
      response: { 200: reply, ...ERROR_REPLIES, 503: { $ref: 'Error#' } },
    },
  }, async (req) => change(req, (req.body as { config: string }).config));

  app.delete('/policies', {
    config: { scope: 'admin' },
    schema: {
      tags: ['policies'],
      operationId: 'resetPolicies',
      summary: 'Back to the built-in policies with their default parameters, and judge every stored image again',
      response: { 200: reply, ...ERROR_REPLIES, 503: { $ref: 'Error#' } },
    },
  }, async (req) => change(req, null));
}
