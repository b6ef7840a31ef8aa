import { ScoutError } from '../../util/errors.js';

/**
 * How slow a blob download may be before it is given up: a registry (or a proxy in the way)
 * that sends headers and then nothing, or a byte every few seconds, must not keep a scan alive
 * for ever. Both bounds are per blob and count only the time spent waiting for the network,
 * not the time the reader took with what it got.
 */
export interface TransferPace {
  /** No byte for this long: the download has stalled. */
  idleMs: number;
  /** Fewer bytes per second than this, averaged over each idleMs of waiting: it trickles. */
  minBytesPerSecond: number;
}

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ScoutError('bad-option', `${name} must be a number of ${name.endsWith('RATE') ? 'bytes per second' : 'seconds'} (0 or more), not "${v}"`);
  return n;
}

/** SCOUT_REGISTRY_IDLE_TIMEOUT (seconds, default 60) and SCOUT_REGISTRY_MIN_RATE (bytes/s, default 1024; 0: off). */
export function defaultPace(): TransferPace {
  return {
    idleMs: envNumber('SCOUT_REGISTRY_IDLE_TIMEOUT', 60) * 1000,
    minBytesPerSecond: envNumber('SCOUT_REGISTRY_MIN_RATE', 1024),
  };
}

/**
 * A response body's chunks, failing with `fail(why)` when the pace is not kept. The time spent
 * in `yield` (the consumer busy with a chunk) is not counted against the source.
 */
export async function* pacedChunks(body: ReadableStream<Uint8Array>, pace: TransferPace, fail: (why: string) => ScoutError): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let waited = 0;
  let bytes = 0;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const started = performance.now();
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(fail(`no data for ${pace.idleMs / 1000}s (SCOUT_REGISTRY_IDLE_TIMEOUT, --registry-idle-timeout)`)), pace.idleMs);
      });
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await Promise.race([reader.read(), stalled]);
      } finally {
        clearTimeout(timer);
      }
      if (r.done) return;
      waited += performance.now() - started;
      bytes += r.value.byteLength;
      if (waited >= pace.idleMs) {
        const rate = (bytes * 1000) / waited;
        if (rate < pace.minBytesPerSecond) {
          throw fail(`${rate < 10 ? rate.toFixed(1) : Math.round(rate)} bytes/s over ${(waited / 1000).toFixed(1)}s, under the minimum of ${pace.minBytesPerSecond} (SCOUT_REGISTRY_MIN_RATE, --registry-min-rate)`);
        }
        waited = 0;
        bytes = 0;
      }
      yield r.value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
