/**
 * What the layer pass keeps besides the listing. Catalogers declare it up front so each layer
 * is read exactly once: small text files are captured whole; binaries and archives are handed
 * to an analyzer during the pass and only its (small) result is kept.
 */
import type { ImageBudget } from './image-budget.js';

export interface FileSelector {
  /** Absolute path globs: `**` crosses directories, `*` and `?` do not, `{a,b}` alternates. */
  globs: string[];
  /** Largest file captured; bigger ones are skipped with a warning. Default 32 MiB. */
  maxSize?: number;
}

export interface FileAnalyzer {
  /** Unique name, part of the cache key together with version. */
  name: string;
  version: number;
  /** Decide from the path, size and first bytes (up to 512) whether to analyze this file. */
  select(path: string, size: number, head: Buffer): boolean;
  /** Largest file analyzed; bigger ones are skipped with a warning. */
  maxSize: number;
  /**
   * Turn the file into a small JSON-serialisable result (undefined: nothing found). May throw
   * a ScoutError for hostile content; the pass records it as a warning and goes on.
   */
  analyze(content: Buffer, path: string, ctx?: AnalyzeContext): unknown;
  /**
   * The same analysis as a module function, so big files can be analyzed on a helper thread
   * while the layer pass goes on (it must return exactly what `analyze` returns).
   */
  offThread?: OffThread;
  /**
   * A cheap test of the bytes as they stream by, for an analyzer that finds nothing in most
   * files (the secret scan's keyword search). A file it does not pass is never put together in
   * memory nor analyzed, so it must pass every file `analyze` would find something in. Called
   * once per layer; the test is reset before each file.
   */
  prefilter?(): StreamTest;
  /**
   * For a file this analyzer did not select: why, as a short key the layer's index counts in
   * `tallies` under `<name>:<key>` (a content scanner reports the files it skipped), or undefined.
   */
  tally?(path: string, size: number, head: Buffer): string | undefined;
  /**
   * Where a limit left part of the file unread (a nested archive past the image's budget or
   * too deep), as found in this analyzer's result. Each becomes a warning that marks its layer
   * incomplete, so no gate passes on a result that leaves something out.
   */
  cutShort?(result: unknown): CutShort[];
}

/** See FileAnalyzer.prefilter: fed a file's chunks in order, asked at its end. */
export interface StreamTest {
  reset(): void;
  /** The next bytes of the file: a view into the stream's buffer, for this call only. */
  write(chunk: Buffer): void;
  /** Whether the bytes written since the reset may hold something for the analyzer. */
  passed(): boolean;
}

/** One place a limit left part of a file unread: `at` is where (default: the file), `reason` why, briefly. */
export interface CutShort {
  code: string;
  message: string;
  at?: string;
  reason?: string;
}

/** What the scan lends an analyzer besides the file: the image's budget (absent in tests and one-off reads). */
export interface AnalyzeContext {
  budget?: ImageBudget;
}

/** A function `fn(content: Buffer, path: string, ctx?: AnalyzeContext)` exported by the module at URL `module` (see siblingModule). */
export interface OffThread {
  module: string;
  fn: string;
}

export interface CaptureSpec {
  selectors: FileSelector[];
  analyzers: FileAnalyzer[];
}

/** What names an analyzer in cache keys: its identity, without the code that selects or reads files. */
export type AnalyzerKey = Pick<FileAnalyzer, 'name' | 'version' | 'maxSize'>;

/**
 * A capture set as cache keys see it: the globs and the analyzers' keys. A CaptureSpec is one;
 * catalogers' spec modules give this much without loading their parsers (see CatalogerSpec).
 */
export interface CaptureSelection {
  selectors: FileSelector[];
  analyzers: AnalyzerKey[];
}

const DEFAULT_MAX = 32 * 1024 * 1024;
const NONE: FileAnalyzer[] = [];

/** Identifies a capture set in cache keys: changing any glob, size limit or analyzer key invalidates. */
export function captureFingerprint(spec: CaptureSelection): string {
  return JSON.stringify({
    g: spec.selectors.map((s) => [s.globs, s.maxSize ?? DEFAULT_MAX]),
    a: spec.analyzers.map((a) => [a.name, a.version, a.maxSize]),
  });
}

/** Compile a glob to a RegExp over absolute paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inAlt = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches zero or more whole directories; a trailing '**' matches anything.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      inAlt++;
    } else if (c === '}' && inAlt) {
      re += ')';
      inAlt--;
    } else if (c === ',' && inAlt) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
    i++;
  }
  return new RegExp('^' + re + '$');
}

/** The compiled form the layer pass uses for every entry. */
interface Pattern {
  re: RegExp;
  max: number;
  /** Text every matching path contains (tested before the RegExp), or ''. */
  needle: string;
  /** The needle is where every matching path starts (a glob from the root): startsWith, not includes. */
  prefix?: boolean;
}

/** Whether `path` has the literal text `p` requires (cheap; the RegExp decides). */
function hasNeedle(p: Pattern, path: string): boolean {
  return p.needle === '' || (p.prefix ? path.startsWith(p.needle) : path.includes(p.needle));
}

/**
 * The longest literal run a glob requires, outside `{...}` alternatives: '**\/*egg-info/x'
 * needs 'egg-info/'. A path without it cannot match, and `includes` is far cheaper than the
 * RegExp for the tens of thousands of paths a layer lists.
 */
export function requiredLiteral(glob: string): string {
  let best = '';
  let run = '';
  let depth = 0;
  // '**/' may match nothing at all, its '/' included: never part of a required run.
  const text = glob.replace(/\*\*\//g, '**');
  for (const c of text) {
    if (c === '{') depth++;
    if (depth > 0 || '*?[]'.includes(c)) {
      if (run.length > best.length) best = run;
      run = '';
    } else run += c;
    if (c === '}' && depth > 0) depth--;
  }
  return run.length > best.length ? run : best;
}

/**
 * Index globs by their last path segment so most paths are rejected with one Map lookup:
 * an exact file name ('METADATA'), a '*suffix' ('*.jar'), or anything else (tested after a
 * cheap check for the literal text it requires).
 */
class PatternIndex {
  private readonly byName = new Map<string, Pattern[]>();
  private readonly bySuffix: { suffix: string; p: Pattern }[] = [];
  private readonly always: Pattern[] = [];

  add(glob: string, re: RegExp, max: number): void {
    const last = glob.slice(glob.lastIndexOf('/') + 1);
    // A last segment of plain names in braces ('{rpmdb.sqlite,Packages.db,Packages}') is indexed
    // under each name; the RegExp still checks the whole path.
    const names = /^\{([^*?{}[\]]+)\}$/.exec(last)?.[1].split(',') ?? (/[*?{}[\]]/.test(last) ? undefined : [last]);
    if (names) {
      for (const name of names) {
        const list = this.byName.get(name) ?? [];
        list.push({ re, max, needle: '' });
        this.byName.set(name, list);
      }
    } else if (/^\*[^*?{}[\]]+$/.test(last)) this.bySuffix.push({ suffix: last.slice(1), p: { re, max, needle: '' } });
    else {
      const needle = requiredLiteral(glob);
      this.always.push({ re, max, needle, prefix: needle !== '' && glob.startsWith(needle) });
    }
  }

  /**
   * The largest `max` of the patterns matching `path`, or 0. Asked of every path of every
   * layer: indexed loops, because for-of allocates until the optimising compiler takes over.
   */
  largest(path: string): number {
    let best = 0;
    const always = this.always;
    for (let i = 0; i < always.length; i++) {
      const p = always[i];
      if (p.max > best && hasNeedle(p, path) && p.re.test(path)) best = p.max;
    }
    if (this.byName.size) {
      const named = this.byName.get(path.slice(path.lastIndexOf('/') + 1));
      if (named) for (let i = 0; i < named.length; i++) if (named[i].max > best && named[i].re.test(path)) best = named[i].max;
    }
    const suffixes = this.bySuffix;
    for (let i = 0; i < suffixes.length; i++) {
      const s = suffixes[i];
      if (s.p.max > best && path.endsWith(s.suffix) && s.p.re.test(path)) best = s.p.max;
    }
    return best;
  }

  /** Bitwise OR of the `max` of every pattern matching `path` (for indexes whose `max` is a tag bit). */
  anyOf(path: string): number {
    let bits = 0;
    for (const p of this.always) if ((bits & p.max) === 0 && hasNeedle(p, path) && p.re.test(path)) bits |= p.max;
    const named = this.byName.get(path.slice(path.lastIndexOf('/') + 1));
    if (named) for (const p of named) if ((bits & p.max) === 0 && p.re.test(path)) bits |= p.max;
    for (const s of this.bySuffix) if ((bits & s.p.max) === 0 && path.endsWith(s.suffix) && s.p.re.test(path)) bits |= s.p.max;
    return bits;
  }
}

/**
 * Which of several capture sets want a path, in one lookup instead of one per set (the
 * runner asks this of every captured path of every layer, for every cataloger).
 */
export class CaptureOwners {
  private readonly patterns = new PatternIndex();

  /** At most 31 sets: the answer is a bit mask, bit i for `specs[i]`. */
  constructor(specs: CaptureSpec[]) {
    if (specs.length > 31) throw new Error(`CaptureOwners takes at most 31 capture sets, not ${specs.length}`);
    specs.forEach((spec, i) => {
      for (const sel of spec.selectors) for (const g of sel.globs) this.patterns.add(g, globToRegExp(g), 1 << i);
    });
  }

  /** Bit i is set when a glob of `specs[i]` matches `path`. */
  owners(path: string): number {
    return this.patterns.anyOf(path);
  }
}

export class CompiledCapture {
  private readonly patterns = new PatternIndex();
  readonly analyzers: FileAnalyzer[];
  /** Each analyzer in a list of its own (see analyzersFor). */
  private readonly alone: FileAnalyzer[][];
  /** Identifies this capture set in cache keys: changing any glob or analyzer invalidates. */
  readonly fingerprint: string;

  constructor(spec: CaptureSpec) {
    for (const sel of spec.selectors) for (const g of sel.globs) this.patterns.add(g, globToRegExp(g), sel.maxSize ?? DEFAULT_MAX);
    this.analyzers = spec.analyzers;
    this.alone = spec.analyzers.map((a) => [a]);
    this.fingerprint = captureFingerprint(spec);
  }

  /** Largest size we would capture this path at, or 0 when nobody wants it. */
  captureLimit(path: string): number {
    return this.patterns.largest(path);
  }

  /**
   * The analyzers that want this file (asked of every file of every layer). With a content
   * scanner (the secret scan) that is one analyzer for nearly every file: the same one-element
   * list is given each time, not a new one per file. Callers do not change the list.
   */
  analyzersFor(path: string, size: number, head: Buffer, tallies?: Map<string, number>): readonly FileAnalyzer[] {
    let out: FileAnalyzer[] | undefined;
    const analyzers = this.analyzers;
    for (let i = 0; i < analyzers.length; i++) {
      const a = analyzers[i];
      if (a.select(path, size, head)) {
        if (out === undefined) out = this.alone[i];
        else out = [...out, a];
      } else if (a.tally && tallies) {
        const why = a.tally(path, size, head);
        if (why !== undefined) tallies.set(`${a.name}:${why}`, (tallies.get(`${a.name}:${why}`) ?? 0) + 1);
      }
    }
    return out ?? NONE;
  }

  /** Several capture sets as one: a CaptureSpec from CaptureSpecs, a CaptureSelection from selections. */
  static merge<A extends AnalyzerKey>(specs: readonly { selectors: FileSelector[]; analyzers: A[] }[]): { selectors: FileSelector[]; analyzers: A[] } {
    return { selectors: specs.flatMap((s) => s.selectors), analyzers: specs.flatMap((s) => s.analyzers) };
  }
}
