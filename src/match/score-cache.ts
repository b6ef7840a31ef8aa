/**
 * CVSS scores remembered across runs, in the cache directory. Scoring a CVSS 4 vector takes the
 * calculator 0.2–0.5 ms, and a 1,000-package image meets hundreds of them: every `scout cves`
 * paid that again for the same vectors. A score is a pure function of its vector and of the
 * calculator, so the file is keyed by the calculator's version and a cache miss only costs
 * the scoring it would have cost anyway. The file sits in a directory anyone may write to:
 * entries that are not well-formed are ignored, and a file that is not is not used.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../image/cache.js';
import { CVSS_CALCULATOR, rememberScores, scoresWorkedOut, type CvssScore, type CvssVersion } from './severity.js';

const FILE = 'cvss-scores.json';
const FORMAT = 1;
/** Entries kept (the oldest go first); a few MB at most. */
const MAX_ENTRIES = 20_000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const VERSIONS: ReadonlySet<string> = new Set(['2.0', '3.0', '3.1', '4.0']);

/** vector → [score, CVSS version], or null when the vector is not a usable one. */
type Saved = Record<string, [number, string] | null>;

/** The CVSS version a vector's prefix names ('2.0' for the unprefixed v2 form). */
function versionOf(vector: string): string {
  return /^\s*CVSS:(\d\.\d)\//.exec(vector)?.[1] ?? '2.0';
}

function validEntry(vector: string, v: unknown): v is [number, string] | null {
  if (vector.length > 512) return false;
  if (v === null) return true;
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && v[0] >= 0 && v[0] <= 10 && typeof v[1] === 'string' && VERSIONS.has(v[1]) && v[1] === versionOf(vector);
}

async function readSaved(dir: string): Promise<Saved> {
  try {
    const text = await readFile(join(dir, FILE), 'utf8');
    if (text.length > MAX_FILE_BYTES) return {};
    const doc = JSON.parse(text) as { format?: unknown; calculator?: unknown; scores?: unknown };
    if (doc?.format !== FORMAT || doc.calculator !== CVSS_CALCULATOR || typeof doc.scores !== 'object' || doc.scores === null) return {};
    const out: Saved = {};
    for (const [vector, v] of Object.entries(doc.scores as Record<string, unknown>)) if (validEntry(vector, v)) out[vector] = v;
    return out;
  } catch {
    return {};
  }
}

/** Makes the saved scores known to the scorer. Never throws. */
export async function loadScores(dir = cacheDir()): Promise<number> {
  const saved = await readSaved(dir);
  const entries = Object.entries(saved).map(([vector, v]): [string, CvssScore | undefined] => [vector, v === null ? undefined : { score: v[0], vector: vector.trim(), version: v[1] as CvssVersion }]);
  rememberScores(entries);
  return entries.length;
}

/** Adds what this process scored to the file (when it scored anything). Never throws. */
export async function saveScores(dir = cacheDir()): Promise<void> {
  const fresh = scoresWorkedOut();
  if (!fresh.length) return;
  try {
    const saved = await readSaved(dir);
    for (const [vector, s] of fresh) {
      delete saved[vector];
      saved[vector] = s ? [s.score, s.version] : null;
    }
    const keys = Object.keys(saved);
    const scores: Saved = {};
    for (const k of keys.slice(Math.max(0, keys.length - MAX_ENTRIES))) scores[k] = saved[k];
    await mkdir(dir, { recursive: true });
    // Written aside and renamed: a reader never sees half a file.
    const tmp = join(dir, `${FILE}.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify({ format: FORMAT, calculator: CVSS_CALCULATOR, scores }));
    await rename(tmp, join(dir, FILE));
  } catch {
    // A cache: a run that cannot write it only misses the time it would have saved.
  }
}
