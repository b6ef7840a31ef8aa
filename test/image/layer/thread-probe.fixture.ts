// Loaded by the layer-indexing and analyzer threads of test/image/layer/in-thread-workers.test.ts
// (threads import it by URL): each probe answers with the id of the thread it ran on.
import { threadId } from 'node:worker_threads';

export const capture = {
  selectors: [{ globs: ['/etc/os-release', '**/package.json', '/opt/**'] }],
  analyzers: [{ name: 'thread-probe', version: 1, maxSize: 1 << 20, select: (path: string) => path === '/etc/os-release', analyze: () => ({ threadId }) }],
};

export function probe(content: Buffer, path: string): { threadId: number; path: string; bytes: number } {
  return { threadId, path, bytes: content.length };
}
