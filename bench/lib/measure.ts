import { spawnSync } from 'node:child_process';

/**
 * Run a bench child script (plain JavaScript on the built dist/, as users run Scout) in its own
 * process, so peak RSS is that of the work alone.
 */
export function child(script: string, args: string[], env: Record<string, string> = {}): { ms: number; maxRssMb: number; out: Record<string, unknown> } {
  const r = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  const out = JSON.parse(last) as Record<string, unknown> & { ms: number; maxRssKb: number };
  return { ms: out.ms, maxRssMb: out.maxRssKb / 1024, out };
}

/** Wall time of a shell command, best of n. */
export function timeShell(cmd: string, n = 1): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} failed`);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

export function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The p-th percentile (0–100) of xs, nearest rank. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
