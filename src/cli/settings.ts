/**
 * Every flag can also come from the environment or a config file, as Trivy and Grype users
 * expect. For each option of the command that runs, the first of these that has it wins:
 *
 *   1. the command line;
 *   2. SCOUT_<COMMAND>_<FLAG> (SCOUT_CVES_FORMAT for `scout cves --format`,
 *      SCOUT_DB_UPDATE_ONLY for `scout db update --only`);
 *   3. SCOUT_<FLAG> (SCOUT_ONLY_SEVERITY, SCOUT_PLATFORM, SCOUT_NO_CACHE…);
 *   4. the config file: the command's own section (`cves: {format: sarif}`), then its top level;
 *      `.scout.yaml` in the working directory wins over `~/.config/iechor-scout/config.yaml`
 *      (`--config FILE` or SCOUT_CONFIG names one file instead of both);
 *   5. the built-in default.
 *
 * Keys are the long flag names without the dashes. A key that is no flag of any command, or a
 * section key that is no flag of its command, is an error naming the key and the file: a typo
 * in a CI gate's config must not be ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { configDir } from '../util/config-dir.js';
import { ScoutError } from '../util/errors.js';
import { closest } from './suggest.js';

/** One config file, parsed. */
export interface ConfigFile {
  path: string;
  data: Record<string, unknown>;
}

/**
 * Flags whose generic variable would change what a command sends. SCOUT_SERVER already names the
 * platform for `push`, `login` and the platform commands; `cves`/`quickview` match on a server
 * only when asked (the flag, SCOUT_CVES_SERVER, or the config file).
 */
const NO_GENERIC_ENV: ReadonlySet<string> = new Set(['server']);

/** Flags that are not settings: `--config` picks the file itself (SCOUT_CONFIG), `--version` is an action. */
const NOT_SETTINGS: ReadonlySet<string> = new Set(['config', 'version', 'help']);

/** The config files to read, most important first. */
export function configPaths(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), explicit?: string): { path: string; required: boolean }[] {
  const named = explicit ?? env.SCOUT_CONFIG;
  if (named) return [{ path: resolve(cwd, named), required: true }];
  return [
    { path: join(cwd, '.scout.yaml'), required: false },
    { path: join(configDir(env), 'config.yaml'), required: false },
  ];
}

/** Reads the config files that exist (YAML, which JSON also is). */
export async function loadConfigFiles(paths: { path: string; required: boolean }[]): Promise<ConfigFile[]> {
  const out: ConfigFile[] = [];
  for (const { path, required } of paths) {
    if (!required && !existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ScoutError('config', `config file ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path });
    }
    // Loaded only when a config file exists: most runs have none.
    const { parseDocument } = await import('yaml');
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length) throw new ScoutError('config', `config file ${path}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, { path });
    const data: unknown = doc.toJS() ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ScoutError('config', `config file ${path}: must be a mapping of flag names to values`, { path });
    out.push({ path, data: data as Record<string, unknown> });
  }
  return out;
}

/** `--only-severity` → `only-severity`; `--no-cache` stays `no-cache`. */
export function optionKey(opt: Option): string | undefined {
  const key = opt.long?.replace(/^--/, '');
  return key && !NOT_SETTINGS.has(key) ? key : undefined;
}

function envName(key: string, commandPath: readonly string[] = []): string {
  return ['SCOUT', ...commandPath, key].join('_').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The commands from the program down to `cmd`, without the program. */
function pathOf(cmd: Command): Command[] {
  const out: Command[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) out.unshift(c);
  return out;
}

function allCommands(root: Command): Command[] {
  const out: Command[] = [root];
  for (let i = 0; i < out.length; i++) for (const c of out[i].commands) out.push(c);
  return out;
}

/** Every flag name any command has (the top level of a config file may hold any of them). */
function everyKey(root: Command): Set<string> {
  const keys = new Set<string>();
  for (const c of allCommands(root)) for (const o of c.options) if (optionKey(o)) keys.add(optionKey(o)!);
  return keys;
}

/** Checks every key of a config file against the command tree: unknown keys are errors. */
export function validateConfig(root: Command, file: ConfigFile): void {
  const anyKey = everyKey(root);
  const bad = (where: string, key: string, candidates: string[], what: string): never => {
    const hint = closest(key, candidates);
    throw new ScoutError('config', `config file ${file.path}: unknown key "${where}${key}": ${what}${hint ? ` (did you mean ${hint}?)` : ''}`, { path: file.path });
  };
  const walk = (cmd: Command, data: Record<string, unknown>, where: string, top: boolean) => {
    const own = new Set(cmd.options.map(optionKey).filter((k): k is string => !!k));
    for (const [key, value] of Object.entries(data)) {
      const sub = cmd.commands.find((c) => c.name() === key);
      if (sub && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        walk(sub, value as Record<string, unknown>, `${where}${key}.`, false);
        continue;
      }
      if (own.has(key) || (top && anyKey.has(key))) continue;
      const candidates = [...(top ? anyKey : own), ...cmd.commands.map((c) => c.name())];
      bad(where, key, candidates, top ? 'no command has this flag' : `\`scout ${pathOf(cmd).map((c) => c.name()).join(' ')}\` has no flag --${key}`);
    }
  };
  walk(root, file.data, '', true);
}

/** A value from the config: the command's section first, then the top level (for global flags the top level only). */
function configValue(files: readonly ConfigFile[], commandPath: readonly string[], key: string): { value: unknown; where: string } | undefined {
  for (const f of files) {
    for (let depth = commandPath.length; depth >= 0; depth--) {
      let node: unknown = f.data;
      for (const name of commandPath.slice(0, depth)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[name] : undefined;
      if (node && typeof node === 'object' && key in node) {
        const value = (node as Record<string, unknown>)[key];
        // A key that names a subcommand's section is not a flag value.
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) continue;
        return { value, where: `${f.path}: ${[...commandPath.slice(0, depth), key].join('.')}` };
      }
    }
  }
  return undefined;
}

/** Options that take several values: variadic (`<host...>`) or repeatable (collected into an array). */
function isList(opt: Option): boolean {
  return opt.variadic || Array.isArray(opt.defaultValue);
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off|)$/i;

/** Turns an environment or config value into what the command line would have given. */
function convert(opt: Option, raw: unknown, where: string): unknown {
  const key = optionKey(opt)!;
  const isBool = !opt.required && !opt.optional;
  if (isBool) {
    let on: boolean;
    if (typeof raw === 'boolean') on = raw;
    else if (typeof raw === 'string' && TRUE.test(raw.trim())) on = true;
    else if (typeof raw === 'string' && FALSE.test(raw.trim())) on = false;
    else throw new ScoutError('config', `${where}: --${key} is on or off: give true or false (1 or 0), not ${JSON.stringify(raw)}`);
    // `no-cache: true` turns the cache off.
    return opt.negate ? !on : on;
  }
  const scalar = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw new ScoutError('config', `${where}: --${key} takes ${isList(opt) ? 'a list of values' : 'one value'}, not ${JSON.stringify(v)}`);
  };
  if (isList(opt)) {
    // From the environment a list is comma-separated; in a file, a YAML list or one value.
    const items = Array.isArray(raw) ? raw.map(scalar) : scalar(raw).split(',').map((s) => s.trim()).filter(Boolean);
    if (opt.parseArg) {
      let acc: unknown = Array.isArray(opt.defaultValue) ? [...(opt.defaultValue as unknown[])] : undefined;
      for (const item of items) acc = opt.parseArg(item, acc);
      return acc;
    }
    return items;
  }
  if (Array.isArray(raw)) throw new ScoutError('config', `${where}: --${key} takes one value, not a list`);
  const text = scalar(raw);
  if (opt.argChoices && !opt.argChoices.includes(text)) throw new ScoutError('config', `${where}: --${key} must be one of ${opt.argChoices.join(', ')}, not "${text}"`);
  return opt.parseArg ? opt.parseArg(text, opt.defaultValue) : text;
}

/**
 * Fills in, on `cmd` and its parents, every option the command line did not give from the
 * environment and the config files (see the top of this file). Options marked required
 * (`requiredOption`) are checked here, after the fill, so SCOUT_* and the config can give them.
 */
export function applySettings(cmd: Command, files: readonly ConfigFile[], env: NodeJS.ProcessEnv = process.env): void {
  const path = pathOf(cmd).map((c) => c.name());
  for (let c: Command | null = cmd; c; c = c.parent) {
    // A parent's own options (`--cache-dir` on the program) are looked up under its own path.
    const cpath = c === cmd ? path : pathOf(c).map((x) => x.name());
    for (const opt of c.options) {
      const key = optionKey(opt);
      if (!key) continue;
      const attr = opt.attributeName();
      if (c.getOptionValueSource(attr) === 'cli') continue;
      let found: { value: unknown; where: string; source: 'env' | 'config' } | undefined;
      const specific = cpath.length ? envName(key, cpath) : undefined;
      const generic = NO_GENERIC_ENV.has(key) && cpath.length ? undefined : envName(key);
      for (const name of [specific, generic]) {
        if (name && env[name] !== undefined && env[name] !== '') {
          found = { value: env[name], where: name, source: 'env' };
          break;
        }
      }
      if (!found) {
        const v = configValue(files, cpath, key);
        if (v) found = { ...v, source: 'config' };
      }
      if (found) c.setOptionValueWithSource(attr, convert(opt, found.value, found.where), found.source);
      if ((opt as Option & { scoutRequired?: boolean }).scoutRequired && c.getOptionValue(attr) === undefined) {
        throw new ScoutError('bad-option', `required option '${opt.flags}' not specified (or set ${specific ?? envName(key)}, or ${key} in the config file)`);
      }
    }
  }
}

/**
 * Commander checks required options before any hook runs, which would refuse a value the
 * environment or the config file gives: the check moves to `applySettings`.
 */
export function deferRequiredOptions(root: Command): void {
  for (const c of allCommands(root)) {
    for (const o of c.options) {
      if (o.mandatory) {
        o.mandatory = false;
        (o as Option & { scoutRequired?: boolean }).scoutRequired = true;
      }
    }
  }
}
