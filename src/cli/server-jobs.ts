/**
 * Following a job the server queued for us (GET /v1/jobs/{id}) until it is done or failed: a
 * server-side analysis (`scout watch --server-side`, `scout push --server-side`) or an advisory
 * sync (`scout server db sync`).
 */
import { callApi, type ServerLogin } from './server-client.js';
import { ScoutError } from '../util/errors.js';

export interface ServerJob<R> {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  error?: string;
  result?: R;
}

export interface WaitOptions {
  /** Give up (the job goes on on the server) after this long. */
  timeoutMs: number;
  /** Between two looks (default 500 ms). */
  pollMs?: number;
  /** The error code when waiting gives up. */
  timeoutCode: string;
  /** What the job does, for that error ("the server's analysis"). */
  what: string;
}

/** The job once it is done or failed; a ScoutError `timeoutCode` when that takes longer than `timeoutMs`. */
export async function waitForJob<R>(login: ServerLogin, queued: ServerJob<R>, o: WaitOptions): Promise<ServerJob<R>> {
  const deadline = Date.now() + o.timeoutMs;
  let job = queued;
  while (job.state !== 'done' && job.state !== 'failed') {
    if (Date.now() > deadline) throw new ScoutError(o.timeoutCode, `${o.what} (job ${job.id}) did not finish within ${Math.round(o.timeoutMs / 60_000)} minutes; it goes on on the server`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    job = (await callApi<ServerJob<R>>(login, { method: 'GET', path: `/v1/jobs/${job.id}` })).body;
  }
  return job;
}
