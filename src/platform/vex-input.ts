/**
 * OpenVEX (and CycloneDX VEX) documents as the platform takes them (POST /v1/vex, and `vex` in a push body), read by
 * the CLI's own reader (src/match/vex.ts). Where the CLI warns and goes on (a document it
 * cannot read, a statement it drops), the server refuses the request with a 400 naming the
 * document and what was wrong: it stores statements for later findings, and a dropped one
 * would silently leave findings undecided. An unexpected @context only warns there; here too.
 */
import { parseVex, VEX_LIMITS, type VexDocument } from '../match/vex.js';
import { ScoutError, Warnings } from '../util/errors.js';

/** The most documents one push carries (as many as `--vex-location` reads from a directory). */
export const MAX_PUSHED_VEX = VEX_LIMITS.files;

/** Codes of parseVex warnings that do not refuse a document. */
const LENIENT = new Set(['vex-context']);

/** One document, read as the CLI reads it; a 400 (`bad-vex`) naming `name` when anything was dropped. */
export function readVexDocument(document: unknown, name: string): VexDocument {
  const warnings = new Warnings();
  const doc = parseVex(document, name, warnings);
  const refused = warnings.items.filter((w) => !LENIENT.has(w.code));
  if (!doc || refused.length) throw new ScoutError('bad-vex', `${name}: ${refused.map((w) => w.message).join('; ') || 'not an OpenVEX document'}`);
  if (!doc.statements.length) throw new ScoutError('bad-vex', `${name}: the document has no statements`);
  return doc;
}

/** A push body's `vex`: `[{ file?, document }]`, as `scout push --vex-location` sends it. */
export function readPushedVex(vex: unknown): { docs: VexDocument[]; files: (string | undefined)[] } {
  if (!Array.isArray(vex)) throw new ScoutError('bad-vex', 'vex must be a list of { file, document }');
  if (vex.length > MAX_PUSHED_VEX) throw new ScoutError('bad-vex', `${vex.length} VEX documents; a push takes at most ${MAX_PUSHED_VEX}`);
  const docs: VexDocument[] = [];
  const files: (string | undefined)[] = [];
  for (const [i, entry] of vex.entries()) {
    const e = entry as { file?: unknown; document?: unknown } | null;
    const file = typeof e?.file === 'string' && e.file !== '' ? e.file.slice(0, VEX_LIMITS.stringLength) : undefined;
    docs.push(readVexDocument(e?.document, file ?? `vex[${i}]`));
    files.push(file);
  }
  return { docs, files };
}

/**
 * What `scout push --vex-location PATH…` (and `scout vex add PATH…`) sends: each file (or each
 * *.json of a directory) read as the CLI reads it and checked as the server will check it, so a
 * document the server would refuse stops the command here, naming the file; a location that
 * reads nothing is an error too. `what` names the option or command in those errors.
 */
export async function pushedVexOf(paths: readonly string[], what = '--vex-location'): Promise<{ file: string; document: unknown }[]> {
  const { basename } = await import('node:path');
  const { readVexFiles } = await import('../match/vex.js');
  const out: { file: string; document: unknown }[] = [];
  for (const path of paths) {
    const warnings = new Warnings();
    const files = await readVexFiles(path, warnings);
    if (warnings.items.length) throw new ScoutError('bad-vex', `${what} ${path}: ${warnings.items.map((w) => `${w.path ?? path}: ${w.message}`).join('; ')}`, { path });
    if (!files.length) throw new ScoutError('bad-vex', `${what} ${path}: no *.json VEX document there`, { path });
    for (const f of files) {
      let document: unknown;
      try {
        document = JSON.parse(f.content.toString('utf8'));
      } catch (err) {
        throw new ScoutError('bad-vex', `${f.path}: VEX document is not JSON: ${(err as Error).message.slice(0, 120)}`, { path: f.path });
      }
      readVexDocument(document, f.path);
      out.push({ file: basename(f.path), document });
    }
  }
  if (out.length > MAX_PUSHED_VEX) throw new ScoutError('bad-vex', `${what}: ${out.length} VEX documents; at most ${MAX_PUSHED_VEX} at once`);
  return out;
}
