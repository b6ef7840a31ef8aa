/**
 * How this run talks to the terminal, decided in one place: colour, width, the progress line and
 * --quiet. Everything that prints to a person asks here instead of reading isTTY or the
 * environment itself, so the rules below hold for every command.
 *
 * - Colour on standard output: off with --no-color; else FORCE_COLOR (set and not 0/false) turns
 *   it on, as in Node.js and chalk, even into a pipe; else NO_COLOR (set and not empty,
 *   no-color.org) turns it off; else on only when standard output is a terminal and TERM is not
 *   "dumb". Reports written to a file (-o) never get colour.
 * - Width: COLUMNS when it is a positive number (the user or the shell said so), else the
 *   terminal's own width; into a pipe or a file there is no limit. Tables shorten their
 *   descriptive columns to fit; ids, names and versions are never cut.
 * - Progress: a line on standard error, only when standard error is a terminal, not in CI
 *   (CI set), not with --quiet, and only once a step has taken a second.
 * - --quiet: no progress and no notes or warnings; errors are still printed.
 */

export interface TerminalFacts {
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stdoutColumns?: number;
  stderrIsTTY: boolean;
}

export interface TerminalFlags {
  /** false from --no-color. */
  color?: boolean;
  quiet?: boolean;
}

export interface Terminal {
  /** ANSI colour on standard output. */
  color: boolean;
  /** Columns standard output may use; undefined: no limit. */
  width?: number;
  /** A progress line on standard error. */
  progress: boolean;
  /** No notes or warnings on standard error (errors only). */
  quiet: boolean;
}

function set(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

export function decideTerminal(facts: TerminalFacts, flags: TerminalFlags = {}): Terminal {
  const { env } = facts;
  let color: boolean;
  if (flags.color === false) color = false;
  else if (env.FORCE_COLOR !== undefined) color = !/^(0|false)$/i.test(env.FORCE_COLOR.trim());
  else if (set(env.NO_COLOR)) color = false;
  else color = facts.stdoutIsTTY && env.TERM !== 'dumb';
  const columns = set(env.COLUMNS) && /^\d{1,5}$/.test(env.COLUMNS.trim()) ? Number(env.COLUMNS) : undefined;
  const width = columns ? columns : facts.stdoutIsTTY && facts.stdoutColumns ? facts.stdoutColumns : undefined;
  const quiet = flags.quiet === true;
  const progress = facts.stderrIsTTY && !quiet && !set(env.CI) && env.TERM !== 'dumb';
  return { color, ...(width ? { width } : {}), progress, quiet };
}

let current: Terminal | undefined;

function processFacts(): TerminalFacts {
  return {
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stdout.columns ? { stdoutColumns: process.stdout.columns } : {}),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

/** This run's terminal; decided from the process until the command's flags are known. */
export function terminal(): Terminal {
  return (current ??= decideTerminal(processFacts()));
}

/** Called once the flags, SCOUT_* variables and config files are applied (program.ts). */
export function configureTerminal(flags: TerminalFlags): Terminal {
  current = decideTerminal(processFacts(), flags);
  return current;
}

/** Something went differently than asked but the command goes on: silent with --quiet. */
export function warn(message: string): void {
  if (terminal().quiet) return;
  statusLine.clear();
  process.stderr.write(`warning: ${message}\n`);
}

/** Which way the run went (the local store was used, a base image was found): silent with --quiet. */
export function note(message: string): void {
  if (terminal().quiet) return;
  statusLine.clear();
  process.stderr.write(`${message}\n`);
}

// --- colour ---

const STYLES = { red: [31, 39], brightRed: [91, 39], yellow: [33, 39], blue: [34, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Style = keyof typeof STYLES;

/** Wraps text in an ANSI style when `on`; the text itself is unchanged either way. */
export function paint(text: string, style: Style, on: boolean): string {
  if (!on || text === '') return text;
  const [open, close] = STYLES[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

// --- the progress line ---

/**
 * One line on standard error saying what the command is doing. It appears only once the run has
 * been busy for `delayMs` (short runs print nothing), is redrawn at most every 100 ms, and is
 * wiped before anything else is written (warn, note, writeOutput).
 */
export class StatusLine {
  private text = '';
  private since = 0;
  private shown = false;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly delayMs = 1000) {}

  /** What the command does now (`reading layers 3/7`). */
  set(text: string): void {
    if (!terminal().progress) return;
    if (this.since === 0) this.since = Date.now();
    this.text = text;
    // A step that sends no further event still shows once it has taken a second.
    this.timer ??= setInterval(() => this.draw(), 250).unref();
    this.draw();
  }

  private draw(): void {
    const now = Date.now();
    if (!this.text || now - this.since < this.delayMs || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.floor((now - this.since) / 1000);
    const line = `${this.text} (${seconds}s)`;
    // Never wider than the terminal: a wrapped line cannot be wiped with \r.
    const cols = this.stream.columns || 80;
    this.stream.write(`\r\x1b[K${line.length >= cols ? line.slice(0, cols - 2) + '…' : line}`);
    this.shown = true;
  }

  /** Wipes the line (if drawn); the next `set` starts a new step. */
  clear(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.text = '';
    this.since = 0;
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** The run's one progress line. */
export const statusLine = new StatusLine();
