/**
 * One job of the analyzer helper (see analyzer-thread.ts): imports each analyzer module on
 * first use and calls the named exports, one per analyzer that wants the file; each answers
 * with its result or the error it threw. analyzer-worker.ts runs it in a worker thread;
 * SCOUT_WORKERS_IN_THREAD=1 runs it on the calling thread (see module-worker.ts).
 */
import type { AnalyzerJob, AnalyzerReply, Outcome } from './analyzer-thread.js';
import type { AnalyzeContext } from '../capture.js';
import { ImageBudget } from '../image-budget.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

function failure(err: unknown): Outcome {
  const e = err as { name?: string; code?: string; message?: string; path?: string } | undefined;
  return { error: { code: e?.name === 'ScoutError' ? e.code : undefined, message: String(e?.message ?? err), path: e?.path } };
}

export async function runAnalyzerJob(m: AnalyzerJob): Promise<AnalyzerReply> {
  const content = Buffer.from(m.content, 0, m.content.byteLength);
  const out: Outcome[] = [];
  const ctx: AnalyzeContext = m.budget ? { budget: ImageBudget.attach(m.budget) } : {};
  for (const a of m.analyzers) {
    try {
      let mod = modules.get(a.module);
      if (!mod) modules.set(a.module, (mod = import(a.module) as Promise<Record<string, unknown>>));
      const fn = (await mod)[a.fn];
      if (typeof fn !== 'function') throw new Error(`${a.module} exports no function ${a.fn}`);
      out.push({ result: (fn as (c: Buffer, p: string, ctx: AnalyzeContext) => unknown)(content, m.path, ctx) });
    } catch (err) {
      out.push(failure(err));
    }
  }
  return { id: m.id, out };
}
