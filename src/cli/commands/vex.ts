/**
 * `scout vex add|list|remove`: the organisation's VEX documents on the server (/v1/vex), as
 * `scout webhook` manages webhooks. `add` reads and checks every document as `scout push
 * --vex-location` does (a file, or each *.json of a directory) before it sends any, so a bad
 * one stops the command naming its file and nothing is half-sent. Adding and removing need a
 * write token.
 */
import type { Command } from 'commander';
import type { VexDocumentDetail, VexDocumentSummary } from '../../store/kysely/vex-store.js';
import { action, writeOutput } from '../common.js';
import { serverSubcommandLogin as login, withServerOptions as common, type ServerSubcommandOptions } from '../server-subcommand.js';

type Options = ServerSubcommandOptions;

type Added = { id: string; created: boolean; changedImages: number; document: VexDocumentDetail };

/** Where a document came from, for a table: its own @id, else the file a push read, else its author. */
function origin(d: VexDocumentSummary): string {
  return d.documentId ?? d.file ?? d.author ?? '';
}

export function register(program: Command): void {
  const vex = program.command('vex').description("the organisation's VEX documents on the server: add, list, remove");

  common(
    vex
      .command('add')
      .argument('<path...>', 'VEX document (OpenVEX or CycloneDX VEX JSON), or a directory of *.json documents')
      .description('store VEX documents for the organisation: the findings their statements name get their status (sending one again changes nothing)'),
  ).action(
    action(async (paths: string[], o: Options) => {
      const l = await login(o);
      // Every document read and checked before the first is sent.
      const { pushedVexOf } = await import('../../platform/vex-input.js');
      const docs = await pushedVexOf(paths, 'scout vex add');
      const { callApi } = await import('../server-client.js');
      const added: (Added & { file: string })[] = [];
      for (const d of docs) {
        const { body } = await callApi<Added>(l, { method: 'POST', path: '/v1/vex', body: d.document });
        added.push({ ...body, file: d.file });
      }
      if (o.format === 'json') return void (await writeOutput(JSON.stringify(added, null, 2)));
      await writeOutput(
        added
          .map((a) => (a.created ? `added ${a.id} (${a.file}): ${a.document.statementCount} statement(s), deciding ${a.document.findings} finding(s); ${a.changedImages} image(s) changed VEX status` : `already stored: ${a.id} (${a.file}), nothing changed`))
          .join('\n'),
      );
    }),
  );

  common(
    vex
      .command('list')
      .description("list the organisation's VEX documents, newest first")
      .option('--vulnerability <id>', 'only documents with a statement naming this id (name or alias)'),
  ).action(
    action(async (o: Options & { vulnerability?: string }) => {
      const l = await login(o);
      const { fetchAll } = await import('../server-client.js');
      // Paged by the server: every page, newest first.
      const items = await fetchAll<VexDocumentSummary>(l, '/v1/vex', { vulnerability: o.vulnerability });
      if (o.format === 'json') return void (await writeOutput(JSON.stringify(items, null, 2)));
      if (!items.length) return void (await writeOutput(o.vulnerability ? `no VEX document names ${o.vulnerability}` : 'no VEX documents (scout vex add FILE)'));
      const { table } = await import('../output/text.js');
      await writeOutput(
        table(
          items.map((d) => {
            const vulns = d.vulnerabilities.slice(0, 3).join(',') + (d.statementCount > 3 && d.vulnerabilities.length > 3 ? ',…' : '');
            return [d.id, d.source === 'push' ? `push ${d.image?.digest.slice(0, 19) ?? ''}` : 'api', String(d.statementCount), String(d.findings), d.createdAt.slice(0, 19).replace('T', ' '), vulns, origin(d)];
          }),
          ['ID', 'SOURCE', 'STATEMENTS', 'FINDINGS', 'CREATED', 'VULNERABILITIES', 'DOCUMENT'],
        ),
      );
    }),
  );

  common(vex.command('remove').alias('rm').argument('<id>', 'document id (from vex list)').description('remove a VEX document: the findings it decided get the status of the statements left, or none')).action(
    action(async (id: string, o: Options) => {
      const l = await login(o);
      const { callApi } = await import('../server-client.js');
      await callApi(l, { method: 'DELETE', path: `/v1/vex/${encodeURIComponent(id)}` });
      await writeOutput(o.format === 'json' ? JSON.stringify({ removed: id }) : `removed VEX document ${id}`);
    }),
  );
}
