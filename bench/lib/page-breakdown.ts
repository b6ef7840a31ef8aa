/**
 * Where a page load's time went, so a regression in the dashboard's first render says what grew:
 * the server's time to first byte, the script's download and its parse/run until it asks for
 * data, each API call (duration and bytes), and the CPU Chromium and the server spent (CPU, not
 * wall time, is what to compare on a loaded machine). Read from the page's own Navigation and
 * Resource Timing entries and from /proc (Linux).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface Resource {
  name: string;
  kind: string;
  start: number;
  /** requestStart → responseStart: the server's time plus one loopback round trip. */
  wait: number;
  end: number;
  bytes: number;
  /** Served from the browser's cache (nothing transferred). */
  cached: boolean;
}

export interface PageTiming {
  /** Navigation start → the awaited rows in the DOM (React committed them). */
  inDom: number;
  /** … → the frame after that, painted (the bench's "first render"). */
  rendered: number;
  ttfb: number;
  /** The document parsed (module scripts run after this). */
  domInteractive: number;
  firstPaint?: number;
  resources: Resource[];
}

/**
 * Installed in every document before its scripts run (context.addInitScript): notes when each of
 * these selectors first matches, in the page itself, and when the frame after that is painted
 * (a message posted from requestAnimationFrame runs after the paint). Read in the page, the times
 * hold none of the test driver's polling or round trips to it, which on a loaded machine were
 * hundreds of milliseconds of the figure.
 */
export function watchFor(selectors: readonly string[]): string {
  return `(() => {
    const seen = (window.__benchSeen = {});
    const check = () => {
      for (const s of ${JSON.stringify(selectors)}) {
        if (seen[s] || !document.querySelector(s)) continue;
        const t = { inDom: performance.now() };
        seen[s] = t;
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => { t.rendered = performance.now(); };
          ch.port2.postMessage(0);
        });
      }
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  })()`;
}

/** Evaluated in the page once window.__benchSeen[selector].rendered is set. */
export function collectTiming(selector: string): string {
  return `(() => {
    const seen = window.__benchSeen[${JSON.stringify(selector)}];
    const nav = performance.getEntriesByType('navigation')[0];
    const fp = performance.getEntriesByName('first-paint')[0];
    return {
      inDom: seen.inDom,
      rendered: seen.rendered,
      ttfb: nav.responseStart,
      domInteractive: nav.domInteractive,
      firstPaint: fp ? fp.startTime : undefined,
      resources: performance.getEntriesByType('resource').map((r) => ({
        name: new URL(r.name).pathname + new URL(r.name).search,
        kind: r.initiatorType,
        start: r.startTime,
        wait: r.responseStart - r.requestStart,
        end: r.responseEnd,
        bytes: r.encodedBodySize,
        cached: r.transferSize === 0,
      })),
    };
  })()`;
}

/** Whether the frame after the selector's rows is painted (a function: the page's CSP forbids evaluating a string there). */
export const renderedIn = (selector: string): boolean => {
  // Runs in the page: the bench's own types have no DOM, so the global is reached untyped.
  const seen = (globalThis as unknown as { __benchSeen?: Record<string, { rendered?: number }> }).__benchSeen;
  return seen?.[selector]?.rendered !== undefined;
};

/** user + system CPU (ms) of every process in the tree under pid, from /proc/PID/stat. */
export function processTreeCpuMs(pid: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, … utime (14th), stime (15th).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch {
      // The process ended while we read.
    }
  }
  let ticks = 0;
  for (const [p, t] of cpu) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        ticks += t;
        break;
      }
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The browser process of a Chromium started with this profile directory (its command line names it). */
export function chromiumPid(profile: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a === `--user-data-dir=${profile}`) && !cmd.some((a) => a.startsWith('--type='))) return Number(d);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

const kb = (n: number) => `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** One line per part of the load, indented under the page's line. */
export function describe(t: PageTiming, cpu: { chromium?: number; server: number }): string[] {
  const scripts = t.resources.filter((r) => r.kind === 'script' || r.name.endsWith('.js'));
  const styles = t.resources.filter((r) => r.kind === 'link' || r.name.endsWith('.css'));
  const api = t.resources.filter((r) => r.name.startsWith('/v1/'));
  const scriptEnd = Math.max(t.domInteractive, ...scripts.map((r) => r.end));
  const firstApi = api.length ? Math.min(...api.map((r) => r.start)) : undefined;
  // The last reply before the rows appeared (a page may ask for more afterwards).
  const before = api.filter((r) => r.end <= t.inDom);
  const lastApi = before.length ? Math.max(...before.map((r) => r.end)) : undefined;
  const bytes = t.resources.reduce((s, r) => s + r.bytes, 0);
  const lines = [
    `document: first byte ${ms(t.ttfb)}, parsed ${ms(t.domInteractive)}, first paint ${t.firstPaint !== undefined ? ms(t.firstPaint) : '–'}; ` +
      scripts.map((r) => `script ${kb(r.bytes)} ${r.cached ? 'from cache' : `${ms(r.start)}–${ms(r.end)}`}`).join(', ') +
      (styles.length ? `; ${styles.map((r) => `css ${kb(r.bytes)}`).join(', ')}` : '') +
      (firstApi !== undefined ? `; script parse/run to first API call ${ms(firstApi - scriptEnd)}` : ''),
    `API: ${api.length} call(s) ${api.map((r) => `${r.name.split('?')[0]!.replace(/sha256%3A[0-9a-f]{64}/, ':digest')} ${ms(r.start)}+${ms(r.end - r.start)} (server ${ms(r.wait)}, ${kb(r.bytes)})`).join(', ') || 'none'}`,
    `rows in the DOM ${ms(t.inDom - (lastApi ?? 0))} after the last API reply, painted ${ms(t.rendered - t.inDom)} later; ${t.resources.length} request(s), ${kb(bytes)} (${kb(t.resources.filter((r) => !r.cached).reduce((s, r) => s + r.bytes, 0))} not from cache); CPU: Chromium ${cpu.chromium !== undefined ? ms(cpu.chromium) : 'n/a'}, server ${cpu.server.toFixed(1)} ms`,
  ];
  return lines;
}
