/** The analyzer helper thread (see analyzer-thread.ts): runs each job it is sent (analyzer-job.ts). */
import { parentPort } from 'node:worker_threads';
import type { AnalyzerJob } from './analyzer-thread.js';
import { runAnalyzerJob } from './analyzer-job.js';

parentPort!.on('message', async (m: AnalyzerJob) => parentPort!.postMessage(await runAnalyzerJob(m)));
