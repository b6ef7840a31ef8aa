/**
 * What the server's advisory database says: a vulnerability's advisories (text, references,
 * ranges, KEV, EPSS), why it matched a package of a stored image (what `scout explain`
 * prints), and the advisory sources with their freshness. Advisories are public data; the
 * explanation reads the caller's image through the organisation's store.
 */
import type { FastifyInstance } from 'fastify';
import type { Advisory, AffectedRange as Range } from '../../../advisories/model.js';
import type { Package, Sbom } from '../../../sbom/model.js';
import type { PageRequest } from '../../../store/platform-store.js';
import { decodeCursor, limitOf, pageOf } from '../../../store/kysely/cursor.js';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { appendAll } from '../../../util/arrays.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

function rangeText(r: Range): string {
  return r.events.map((e) => Object.entries(e).map(([k, v]) => `${k} ${v}`).join('')).join(', ');
}

function recordOf(a: Advisory) {
  return {
    id: a.id,
    source: a.source,
    ...(a.summary ? { summary: a.summary } : {}),
    ...(a.details ? { details: a.details } : {}),
    ...(a.published ? { published: a.published } : {}),
    modified: a.modified,
    ...(a.withdrawn ? { withdrawn: a.withdrawn } : {}),
    severity: a.severity.map((s) => ({ type: s.type, score: s.score })),
    references: a.references.map((r) => ({ type: r.type, url: r.url })),
    affected: a.affected
      .filter((e) => e.package)
      .map((e) => ({ ecosystem: e.package!.ecosystem, name: e.package!.name, ranges: (e.ranges ?? []).map(rangeText), versions: (e.versions ?? []).length })),
  };
}

/** Advisory sources older than this are flagged, as `scout db status` warns. */
const MAX_AGE_DAYS = 7;

export default async function advisoryRoutes(app: FastifyInstance): Promise<void> {
  app.get('/vulnerabilities/:id/advisory', {
    schema: {
      tags: ['vulnerabilities'],
      operationId: 'vulnerabilityAdvisory',
      summary: 'The advisories the server holds for a vulnerability (any of its ids): text, references, affected ranges, with its KEV entry and EPSS score',
      params: idParams,
      response: { 200: { $ref: 'AdvisoryView#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const store = app.deps.advisories;
    const found = new Map<string, Advisory>();
    for (const a of await store.byAlias(id)) found.set(`${a.source}/${a.id}`, a);
    const direct = await store.get(id);
    if (direct) found.set(`${direct.source}/${direct.id}`, direct);
    const records = [...found.values()].sort((a, b) => (a.id === id ? -1 : b.id === id ? 1 : a.id < b.id ? -1 : 1));
    const aliases = [...new Set(records.flatMap((a) => [a.id, ...a.aliases, ...a.upstream]))].filter((x) => x !== id).sort();
    const cves = [...new Set([id, ...aliases].filter((x) => x.startsWith('CVE-')))];
    const [kev, epss] = await Promise.all([store.kev(cves), store.epss(cves)]);
    const k = cves.map((c) => kev.get(c)).find(Boolean);
    const e = cves.map((c) => epss.get(c)).find(Boolean);
    return {
      id,
      aliases,
      records: records.map(recordOf),
      ...(k ? { kev: { dateAdded: k.dateAdded, ...(k.dueDate ? { dueDate: k.dueDate } : {}), ...(k.knownRansomwareUse !== undefined ? { knownRansomwareUse: k.knownRansomwareUse } : {}), ...(k.vulnerabilityName ? { vulnerabilityName: k.vulnerabilityName } : {}) } } : {}),
      ...(e ? { epss: { score: e.score, percentile: e.percentile, ...(e.date ? { date: e.date } : {}) } } : {}),
    };
  });

  app.get('/vulnerabilities/:id/explain', {
    schema: {
      tags: ['vulnerabilities'],
      operationId: 'explainMatch',
      summary: 'Why a vulnerability matches (or not) a package of a stored image: every range evaluated, as `scout explain` prints it',
      params: idParams,
      querystring: {
        type: 'object',
        required: ['digest', 'purl'],
        additionalProperties: false,
        properties: { digest: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' }, purl: { type: 'string', minLength: 5, maxLength: 4096 } },
      },
      response: {
        200: { type: 'object', required: ['summary', 'text'], additionalProperties: false, properties: { summary: { type: 'string' }, text: { type: 'string' } } },
        ...ERROR_REPLIES,
      },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const { digest, purl } = req.query as { digest: string; purl: string };
    const image = await req.org.getImage(digest);
    if (!image) throw new ScoutError('not-found', `no image ${digest}`);
    const packages: Package[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await req.org.imagePackages(digest, { limit: 500, ...(cursor ? { cursor } : {}) });
      if (!page) throw new ScoutError('not-found', `no image ${digest}`);
      appendAll(packages, page.items);
      cursor = page.next;
    }
    if (!packages.some((p) => p.purl === purl)) throw new ScoutError('not-found', `image ${digest} has no package ${purl}`);
    const sbom: Sbom = { schema: 'iechor-scout/sbom@1', generatedAt: image.pushedAt, tool: { name: 'iechor-scout', version: 'server' }, image: image.metadata, ...(image.distro ? { distro: image.distro } : {}), packages, packageCount: packages.length, warnings: [] };
    const { explain } = await import('../../../match/explain.js');
    const { writeExplainText } = await import('../../../report/explain.js');
    const x = await explain(sbom, app.deps.advisories, id, purl);
    return { summary: x.summary, text: writeExplainText(x) };
  });

  app.get('/advisory-sources', {
    schema: {
      tags: ['advisories'],
      operationId: 'advisorySources',
      summary: `The advisory sources in the server's database with their record counts, import time and age, by name, a page at a time; older than ${MAX_AGE_DAYS} days is stale`,
      querystring: { $ref: 'PageQuery#' },
      response: { 200: { $ref: 'AdvisorySources#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const page = req.query as PageRequest;
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string']);
    // The store cuts the page and counts the records of its sources only; the row past the
    // page only says there is more.
    const sources = await app.deps.advisories.sourceStatusPage(after ? String(after[0]) : undefined, limit + 1);
    const out = pageOf(sources, limit, (s) => {
      const ageDays = Math.floor(s.ageSeconds / 86_400);
      return { name: s.name, kind: s.kind, records: s.count, withdrawn: s.withdrawn, importedAt: s.importedAt, ageDays, stale: ageDays >= MAX_AGE_DAYS };
    }, (s) => [s.name]);
    return { maxAgeDays: MAX_AGE_DAYS, ...out };
  });
}
