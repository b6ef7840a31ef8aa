/**
 * VEX statements of the organisation: OpenVEX documents sent here (write scope) apply to every
 * image of the organisation their products name, as `scout cves --vex-location` applies them to
 * one scan (src/match/vex.ts); `scout push --vex-location` sends documents that speak of the
 * pushed image only. Each finding shows the statement that decides it (`vex` on findings and
 * vulnerability usage). A statement that changes a finding's status judges the image's
 * policies again, with a `policy.changed` event when a status moves.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VEX_LIMITS } from '../../../match/vex.js';
import type { OnVexChanged } from '../../../store/platform-store.js';
import { ScoutError } from '../../../util/errors.js';
import { ERROR_REPLIES } from '../../schemas/index.js';
import { readVexDocument } from '../../../platform/vex-input.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** The images whose findings changed VEX status are judged again, their events queued in the same transaction. */
function judgeAgain(req: FastifyRequest): OnVexChanged {
  const jobs = req.server.deps.jobs;
  return async (trx, imageIds) => {
    const { evaluateStoredImages } = await import('../../../platform/policy-evaluation.js');
    await evaluateStoredImages(trx, imageIds, { trigger: 'vex', ...(jobs ? { enqueue: (payloads) => jobs.enqueueDeliveries(trx, payloads) } : {}) });
  };
}

export default async function vexRoutes(app: FastifyInstance): Promise<void> {
  app.post('/vex', {
    config: { scope: 'write' },
    bodyLimit: VEX_LIMITS.fileBytes,
    schema: {
      tags: ['vex'],
      operationId: 'addVex',
      summary: 'Store an OpenVEX or CycloneDX VEX document for the organisation: each finding whose vulnerability (or an alias) a statement names, and whose package or image its products name, gets the VEX status of the newest such statement. Sending the same document again changes nothing.',
      body: { type: 'object', additionalProperties: true, description: 'An OpenVEX 0.2.0 document (https://github.com/openvex/spec), or a CycloneDX BOM (1.4+) whose vulnerabilities carry an analysis (CycloneDX VEX), as scout cves --vex-location reads them.' },
      response: { 200: { $ref: 'VexAdded#' }, 201: { $ref: 'VexAdded#' }, 413: { $ref: 'Error#' }, ...ERROR_REPLIES },
    },
  }, async (req, reply) => {
    const doc = readVexDocument(req.body, 'the document');
    const added = await req.org.addVex([doc], { source: 'api', by: req.caller.token.id }, judgeAgain(req));
    const id = added!.ids[0]!;
    const document = await req.org.getVex(id);
    return reply.status(added!.created[0] ? 201 : 200).send({ id, created: added!.created[0], changedImages: added!.changedImages, document });
  });

  app.get('/vex', {
    schema: {
      tags: ['vex'],
      operationId: 'listVex',
      summary: "The organisation's VEX documents (OpenVEX, CycloneDX VEX), newest first",
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          vulnerability: { type: 'string', maxLength: 200, description: 'Documents with a statement naming this id (name or alias, case-insensitive).' },
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          cursor: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 200: { $ref: 'VexDocumentPage#' }, ...ERROR_REPLIES },
    },
  }, async (req) => {
    const { vulnerability, ...page } = req.query as { vulnerability?: string; limit?: number; cursor?: string };
    return req.org.listVex(vulnerability ? { vulnerability } : {}, page);
  });

  app.get('/vex/:id', {
    schema: { tags: ['vex'], operationId: 'getVex', summary: 'One VEX document of the organisation with its statements (a CycloneDX one as the OpenVEX statements it makes)', params: idParams, response: { 200: { $ref: 'VexDocument#' }, ...ERROR_REPLIES } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return (await req.org.getVex(id)) ?? Promise.reject(new ScoutError('not-found', `no VEX document ${id}`));
  });

  app.delete('/vex/:id', {
    config: { scope: 'write' },
    schema: { tags: ['vex'], operationId: 'deleteVex', summary: 'Delete a VEX document: the findings it decided get the status of the statements left (or none)', params: idParams, response: { 204: { type: 'null' }, ...ERROR_REPLIES } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await req.org.deleteVex(id, judgeAgain(req)))) throw new ScoutError('not-found', `no VEX document ${id}`);
    return reply.status(204).send();
  });
}
