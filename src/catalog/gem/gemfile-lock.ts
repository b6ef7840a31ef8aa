import { MAX_ENTRIES_PER_FILE } from '../limits.js';
/**
 * Gemfile.lock: the specs of the GEM (and GIT/PATH) sections, "    name (version[-platform])"
 * with their own dependencies indented below, and the DEPENDENCIES section naming what the
 * Gemfile asked for directly.
 */

export interface LockedGem {
  name: string;
  version: string;
  platform?: string;
  /** Names of the gems this one depends on (as the lock file lists them). */
  dependencies: string[];
  /** Section the spec came from: GEM, GIT or PATH. */
  source: string;
}

export interface GemfileLock {
  gems: LockedGem[];
  /** Gems the Gemfile names (DEPENDENCIES), lowercase-insensitive as written. */
  direct: Set<string>;
}

const MAX_LINES = 2 * MAX_ENTRIES_PER_FILE;

/** "1.13.10-x86_64-linux" → version and platform (gem versions never contain '-'). */
export function splitGemVersion(v: string): { version: string; platform?: string } {
  const dash = v.indexOf('-');
  return dash === -1 ? { version: v } : { version: v.slice(0, dash), platform: v.slice(dash + 1) };
}

export function parseGemfileLock(text: string): GemfileLock {
  const gems: LockedGem[] = [];
  const direct = new Set<string>();
  let section = '';
  let inSpecs = false;
  let current: LockedGem | undefined;
  const lines = text.split('\n').slice(0, MAX_LINES);
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    if (/^\S/.test(line)) {
      section = line.trim();
      inSpecs = false;
      current = undefined;
      continue;
    }
    if (section === 'DEPENDENCIES') {
      const m = /^ {2}([^\s(!]+)/.exec(line);
      if (m) direct.add(m[1]);
      continue;
    }
    if (!['GEM', 'GIT', 'PATH'].includes(section)) continue;
    if (/^ {2}specs:\s*$/.test(line)) {
      inSpecs = true;
      continue;
    }
    if (!inSpecs) continue;
    const spec = /^ {4}([^\s(]+) \(([^)]+)\)\s*$/.exec(line);
    if (spec) {
      const { version, platform } = splitGemVersion(spec[2]);
      current = { name: spec[1], version, dependencies: [], source: section };
      if (platform) current.platform = platform;
      gems.push(current);
      continue;
    }
    const dep = /^ {6}([^\s(]+)/.exec(line);
    if (dep && current && !current.dependencies.includes(dep[1])) current.dependencies.push(dep[1]);
  }
  return { gems, direct };
}
