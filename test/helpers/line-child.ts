import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A long-lived TypeScript child process (run through tsx with `args`) that the test talks to
 * line by line: the test writes a line to its stdin, `next()` waits for its next stdout line.
 * Start-up race tests keep two of these warm, so both begin a round at the same moment rather
 * than a Node start apart.
 */
export function lineChild(script: string, args: readonly string[], name: string): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout!.setEncoding('utf8');
  let buffered = '';
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  child.once('exit', () => wake?.());
  const next = async (): Promise<string> => {
    while (!lines.length) {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode})`);
      await new Promise<void>((r) => (wake = r));
    }
    return lines.shift()!;
  };
  return { child, next };
}
