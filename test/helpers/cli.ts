import { spawnSync } from 'node:child_process';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/**
 * Node's arguments that start the real `scout` CLI: the JavaScript that scripts/run-tests.mjs
 * transpiled from the sources before the run (SCOUT_TEST_CLI_JS), else the sources under tsx
 * (a test file run on its own). The same code either way; the first starts about 3× cheaper.
 */
export function scoutNodeArgs(...args: string[]): string[] {
  return scoutNodeArgsImporting([], ...args);
}

/** The same with modules Node must `--import` first, after tsx when it is the one running the sources. */
export function scoutNodeArgsImporting(imports: string[], ...args: string[]): string[] {
  const preload = imports.flatMap((m) => ['--import', m]);
  const js = process.env.SCOUT_TEST_CLI_JS;
  return js ? [...preload, js, ...args] : ['--import', 'tsx', ...preload, MAIN, ...args];
}

/** Run the real `scout` CLI (from source) in a child process. */
export function scout(args: string[], env: Record<string, string> = {}, input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, scoutNodeArgs(...args), {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...env },
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: for tests whose peers (a local API server, a
 * receiver) live in the test process itself and must answer while the CLI runs.
 */
export async function scoutAsync(args: string[], env: Record<string, string> = {}, opts: { signalAfterMs?: number; until?: (stdout: string) => boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, scoutNodeArgs(...args), { env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (opts.until?.(stdout)) child.kill('SIGTERM');
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = opts.signalAfterMs ? setTimeout(() => child.kill('SIGTERM'), opts.signalAfterMs) : undefined;
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  if (timer) clearTimeout(timer);
  return { code, stdout, stderr };
}
