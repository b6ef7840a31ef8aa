/**
 * CPU time PostgreSQL's own processes spend for a benchmark: the server backends whose
 * connections carry the benchmark's application_name, read from /proc (the server runs on this
 * machine). On a shared 2-core machine wall times mostly measure the neighbours; CPU time says
 * what the work costs. Linux only; elsewhere the figures are absent.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** The URL with `application_name` set, so this benchmark's backends can be told apart. */
export function urlWithAppName(url: string, app: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', app);
  return u.toString();
}

/** utime + stime of a process in ms, or undefined when it is gone or /proc is not there. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export class BackendCpu {
  private readonly last = new Map<number, number>();
  private total = 0;
  private started = false;

  constructor(private readonly url: string, private readonly app: string) {}

  /**
   * CPU ms the app's backends used since the first call. A backend that appears between two
   * calls counts whole (it started in between); one that ends between them loses its last part.
   */
  async sample(): Promise<number> {
    const c = new pg.Client({ connectionString: this.url });
    await c.connect();
    let pids: number[];
    try {
      pids = (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [this.app])).rows.map((r) => r.pid);
    } finally {
      await c.end();
    }
    for (const pid of pids) {
      const now = processCpuMs(pid);
      if (now === undefined) continue;
      const before = this.last.get(pid);
      if (before !== undefined) this.total += now - before;
      else if (this.started) this.total += now;
      this.last.set(pid, now);
    }
    this.started = true;
    return this.total;
  }
}
