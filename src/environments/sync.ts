/**
 * `scout environment sync`: read the cluster's inventory and post it to the server, once or
 * every `intervalS` seconds. A failed round (API or server unreachable) is reported and the
 * loop goes on; the server keeps the last inventory it received until the next one.
 */
import { ScoutError } from '../util/errors.js';
import type { InventoryResult } from '../store/kysely/activity-store.js';
import type { RuntimeInventory } from './inventory.js';
import { readClusterInventory, type ClusterOptions } from './kubernetes.js';

export interface ServerTarget {
  url: string;
  token: string;
}

/** The server's answer to an inventory: the store's own result, sent back as JSON. */
export type RuntimeReply = InventoryResult;

export async function postInventory(server: ServerTarget, inventory: RuntimeInventory): Promise<RuntimeReply> {
  const url = new URL('/v1/integrations/runtime', server.url).toString();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(inventory),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new ScoutError('server-unreachable', `cannot reach the Scout server at ${server.url}: ${e.cause?.code ?? e.message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not our JSON error: show the start of the text
    }
    throw new ScoutError('server-refused', `the Scout server refused the inventory (HTTP ${res.status}): ${message}`);
  }
  return JSON.parse(text) as RuntimeReply;
}

export async function syncOnce(cluster: ClusterOptions, server: ServerTarget): Promise<{ inventory: RuntimeInventory; reply: RuntimeReply }> {
  const inventory = await readClusterInventory(cluster);
  const reply = await postInventory(server, inventory);
  return { inventory, reply };
}

/** Rounds until `signal` aborts; each round's result or error goes to `report`. */
export async function syncLoop(
  cluster: ClusterOptions,
  server: ServerTarget,
  intervalS: number,
  signal: AbortSignal,
  report: (r: { inventory: RuntimeInventory; reply: RuntimeReply } | Error) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      report(await syncOnce(cluster, server));
    } catch (err) {
      report(err as Error);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalS * 1000);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }
}
