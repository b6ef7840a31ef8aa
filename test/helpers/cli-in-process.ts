/**
 * Runs the real `scout` command tree (src/cli/program.ts) inside the test process: the same
 * parsing, hooks and actions as the executable, without the ~0.5 s of a child `node --import tsx`.
 * Standard output and error are captured; the environment, working directory and TTY-ness are
 * set for the run and put back after it. Runs must not overlap (they share process state).
 */
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  /** Variables to set (undefined: unset) for the run; CI=1 is set unless given. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Pretend standard output / error are terminals of this many columns. */
  stdoutTty?: { columns: number };
  stderrTty?: { columns: number };
}

function allCommands(root: Command): Command[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const c of out[i].commands) out.push(c);
  return out;
}

let running = false;

export async function scoutInProcess(args: string[], opts: InProcessOptions = {}): Promise<InProcessRun> {
  if (running) throw new Error('scoutInProcess: runs must not overlap');
  running = true;
  const env: Record<string, string | undefined> = { CI: '1', ...opts.env };
  const savedEnv = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedCwd = process.cwd();
  const out = { stdout: '', stderr: '' };
  const streams = [
    ['stdout', process.stdout, opts.stdoutTty],
    ['stderr', process.stderr, opts.stderrTty],
  ] as const;
  const saved = streams.map(([, s]) => ({ write: s.write, isTTY: s.isTTY, columns: s.columns }));
  let code: number;
  try {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (opts.cwd) process.chdir(opts.cwd);
    for (const [name, s, tty] of streams) {
      const original = s.write.bind(s);
      // The CLI writes text, and UTF-8 bytes (a cached SBOM goes out as the bytes its cache
      // holds, piece by piece: decoded as one stream, so a character split between pieces stays
      // whole). Node's test runner reports to its parent through this process's standard output
      // in binary frames while a test runs: those go through untouched. Each is a V8 serializer
      // message, whose first byte is 0xFF, a byte UTF-8 never holds.
      const utf8 = new TextDecoder('utf-8');
      s.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
        if (typeof chunk !== 'string' && chunk[0] === 0xff) return original(chunk, ...rest);
        out[name] += typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true });
        return true;
      }) as typeof s.write;
      s.isTTY = !!tty;
      if (tty) s.columns = tty.columns;
    }
    process.exitCode = undefined;
    const program = await buildProgram();
    // Commander would end the process on a usage error: it throws instead.
    for (const c of allCommands(program)) c.exitOverride();
    try {
      await program.parseAsync(['node', 'scout', ...args]);
      code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (err) {
      if (!(err instanceof CommanderError)) throw err;
      code = err.exitCode;
    }
  } finally {
    streams.forEach(([, s], i) => {
      s.write = saved[i].write;
      s.isTTY = saved[i].isTTY;
      s.columns = saved[i].columns;
    });
    process.exitCode = undefined;
    process.chdir(savedCwd);
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
  return { code, ...out };
}
