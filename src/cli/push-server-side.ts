/**
 * `scout push --server-side REF`: the server pulls and analyses the registry image itself
 * (POST /v1/images/analyze, as `scout watch --server-side` asks it), and the push waits for the
 * job, then prints what `scout push` prints: the stored image's summary, or the same JSON. Nothing
 * is pulled here, so nothing about the image is read on this machine: the registry must be one
 * the server allows (--analyze-registry), under the name the server reaches it by.
 */
import { callApi, type ServerLogin } from './server-client.js';
import { waitForJob, type ServerJob } from './server-jobs.js';
import type { ImageDetail, PutResult } from '../store/platform-store.js';
import { ScoutError } from '../util/errors.js';

/** How long a push waits for the server's analysis before it gives up (the job goes on). */
const SERVER_SIDE_WAIT_MS = 15 * 60_000;

type AnalyzeJob = ServerJob<{ digest: string; created: boolean; incompleteLayers?: string[] }>;

export interface ServerSidePush {
  reference: string;
  platform?: string;
  repository?: string;
  tags?: string[];
}

/**
 * The stored image as `POST /v1/images` answers a push (whether it was new, and its detail), and
 * the layers the server could not read whole (as a local scan reports them).
 */
export async function pushServerSide(login: ServerLogin, p: ServerSidePush): Promise<{ reply: PutResult; incompleteLayers: string[] }> {
  const { body: queued } = await callApi<AnalyzeJob>(login, {
    method: 'POST',
    path: '/v1/images/analyze',
    body: { reference: p.reference, ...(p.platform ? { platform: p.platform } : {}), ...(p.repository ? { repository: p.repository } : {}), ...(p.tags?.length ? { tags: p.tags } : {}) },
  });
  const job = await waitForJob(login, queued, { timeoutMs: SERVER_SIDE_WAIT_MS, timeoutCode: 'analysis-timeout', what: "the server's analysis" });
  if (job.state === 'failed' || !job.result) {
    const message = job.error ?? "the server's analysis failed";
    // The handler ends its error with the code in parentheses (src/jobs/handlers/analyze-image.ts).
    throw new ScoutError(/\(([a-z0-9-]+)\)$/.exec(message)?.[1] ?? 'analysis-failed', message);
  }
  const { body: image } = await callApi<ImageDetail>(login, { method: 'GET', path: `/v1/images/${job.result.digest}` });
  return { reply: { created: job.result.created, image }, incompleteLayers: job.result.incompleteLayers ?? [] };
}
