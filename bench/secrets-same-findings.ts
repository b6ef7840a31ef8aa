/**
 * A check, not a benchmark: two builds of Scout find exactly the same secrets. Run it before a
 * change to the secret scan is landed, with the old build (a copy of bin/, dist/ and
 * package.json made before the change, next to a node_modules) and the new one:
 *
 *   node --import tsx bench/secrets-same-findings.ts OLD/bin/scout.js bin/scout.js
 *
 * Each build runs `scout secrets --format json` with a fresh cache on the secrets benchmark's
 * image (no secrets in it: the keyword search's worst case), and on a corpus of real text
 * with plenty of secrets and near misses: this repository's sources, tests (their fixtures are
 * full of planted keys) and docs, and part of node_modules. The corpus is read both as an OCI
 * image (layers parsed from tar streams) and as a folder (fs://, files read from disk), since
 * the two hand the scan their bytes in differently cut chunks. The JSON documents must be
 * equal; the script prints how many findings each had and exits 1 on any difference.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureLayout, prng, text } from './lib/big-image.js';
import { ensureSbomImage } from './lib/sbom-image.js';
import { RULES } from '../src/secrets/rules.js';

const [oldBin, newBin] = process.argv.slice(2);
if (!oldBin || !newBin) throw new Error('usage: secrets-same-findings.ts OLD/bin/scout.js NEW/bin/scout.js');

const repo = new URL('..', import.meta.url).pathname;
const root = process.env.SCOUT_BENCH_DIR ?? join(tmpdir(), 'scout-bench');

/** This repository's text, copied once (so later edits to it do not change the corpus). */
function ensureCorpusFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string, budget: { n: number }) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) {
        if (name !== '.git' && budget.n > 0) walk(p, budget);
      } else if (s.isFile() && s.size > 0 && s.size < 2 * 1024 * 1024 && budget.n-- > 0) files.push(relative(repo, p));
    }
  };
  for (const top of ['src', 'test', 'docs', 'examples', 'bench', 'README.md']) {
    const p = join(repo, top);
    if (statSync(p).isDirectory()) walk(p, { n: 20_000 });
    else files.push(top);
  }
  walk(join(repo, 'node_modules'), { n: 20_000 });
  const planted = plantedSecrets();
  if (!existsSync(join(dir, 'done'))) {
    rmSync(dir, { recursive: true, force: true });
    for (const f of files) cpSync(join(repo, f), join(dir, f));
    for (const [f, body] of planted) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), body);
    }
    mkdirSync(join(dir, 'done'));
  }
  return [...files, ...planted.map(([f]) => f)];
}

/**
 * Files with a secret of every rule, and near misses (a value one character short, a
 * placeholder), in filler text at offsets that put keywords across the 64 KiB boundaries of
 * file reads and at the very start and end of files; in app folders and in package trees.
 */
function plantedSecrets(): [string, string][] {
  const KEYWORDS = RULES.flatMap((r) => r.keywords);
  const rnd = prng(7);
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const AN = UP + 'abcdefghijklmnopqrstuvwxyz0123456789';
  const B64 = AN + '+/';
  const values: (() => string)[] = [
    () => `AWS_ACCESS_KEY_ID=AKIA${pick(UP + '234567', 16)}`,
    () => `aws_secret_access_key = ${pick(B64, 40)}`,
    () => `{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----${pick(B64, 80)}"}`,
    () => `DefaultEndpointsProtocol=https;AccountKey=${pick(B64, 86)}==;`,
    () => `AZURE_CLIENT_SECRET=${pick(AN, 3)}8Q~${pick(AN, 32)}`,
    () => `-----BEGIN RSA PRIVATE KEY-----\n${pick(B64, 64)}\n${pick(B64, 64)}\n-----END RSA PRIVATE KEY-----`,
    () => `token: ghp_${pick(AN, 36)}`,
    () => `GITLAB=glpat-${pick(AN, 20)}`,
    () => `BB=ATBB${pick(AN, 32)}`,
    () => `//registry.npmjs.org/:_authToken=npm_${pick(AN, 36)}`,
    () => `password = pypi-AgE${pick(AN, 60)}`,
    () => `{"auths": {"r.example.com": {"auth": "${Buffer.from(`u${pick(AN, 5)}:${pick(AN, 12)}`).toString('base64')}"}}}`,
    () => `https://hooks.slack.com/services/${pick(AN, 40)}`,
    () => `SLACK=xoxb-${pick('0123456789', 12)}-${pick(AN, 24)}`,
    () => `https://discord.com/api/webhooks/${pick('0123456789', 18)}/${pick(AN, 64)}`,
    () => `DATABASE_URL=postgres://app:${pick(AN, 14)}@db:5432/app`,
    () => `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx${pick(AN, 12)}.${pick(AN, 30)}`,
    () => `db_password = "${pick(AN, 20)}1a"`,
    () => `API_KEY: ${pick(AN, 24)}9Z`,
  ];
  const out: [string, string][] = [];
  for (let i = 0; i < 240; i++) {
    const v = values[i % values.length]();
    // Near misses: the value cut short, or turned into a placeholder.
    const secret = i % 7 === 3 ? v.slice(0, -1) : i % 11 === 5 ? v.replace(/[A-Za-z0-9]{8}$/, 'EXAMPLE1') : v;
    const where = i % 4;
    // Where 2: the secret's first keyword starts two bytes before offset 512, where a folder's
    // file is cut (its first 512 bytes are read alone).
    const kw = Math.min(...KEYWORDS.map((k) => secret.indexOf(k)).filter((at) => at >= 0));
    const before = where === 0 ? '' : where === 1 ? text(rnd, 65536 - 2 - Math.floor(rnd() * 8)) : where === 2 ? 'x'.repeat(512 - 1 - 2 - kw) : text(rnd, Math.floor(rnd() * 3000));
    const after = where === 3 ? '' : text(rnd, Math.floor(rnd() * 70_000));
    const dir = i % 5 === 0 ? 'app/node_modules/lib' : i % 5 === 1 ? 'usr/lib/python3/dist-packages/p' : 'app/config';
    out.push([`planted/${dir}/f${i}.txt`, `${before}\n${secret}\n${after}`]);
  }
  return out;
}

async function ensureCorpusImage(): Promise<{ image: string; folder: string }> {
  const folder = join(root, 'secrets-corpus-files-v3');
  const files = ensureCorpusFiles(folder);
  const half = Math.floor(files.length / 2);
  // Two layers, so findings carry layer numbers as well as paths.
  const layer = (part: string[]) => async (write: (name: string, body: Buffer) => Promise<void>) => {
    for (const f of part) if (existsSync(join(folder, f))) await write(f, await readFile(join(folder, f)));
  };
  const img = await ensureLayout(join(root, 'secrets-corpus-image-v3'), [layer(files.slice(0, half)), layer(files.slice(half))]);
  return { image: `oci-dir://${img.dir}`, folder: `fs://${folder}` };
}

function findings(bin: string, ref: string): unknown {
  const cache = mkdtempSync(join(tmpdir(), 'scout-same-findings-'));
  try {
    const r = spawnSync(process.execPath, [bin, 'secrets', ref, '--format', 'json'], { env: { ...process.env, SCOUT_CACHE_DIR: cache }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${bin} secrets ${ref} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

const bench = await ensureSbomImage(join(root, 'sbom-image-v1'), { debs: 400, rootFiles: 60_000, pythonPackages: 300, npmPackages: 3000, jarCopies: 10 });
const corpus = await ensureCorpusImage();
let differ = 0;
for (const ref of [`oci-dir://${bench.dir}`, corpus.image, corpus.folder]) {
  const a = findings(oldBin, ref) as { findings: unknown[]; skipped: unknown };
  const b = findings(newBin, ref) as { findings: unknown[]; skipped: unknown };
  const same = isDeepStrictEqual(a, b);
  if (!same) differ++;
  console.log(`${same ? 'same' : 'DIFFERENT'}: ${ref}: ${a.findings.length} findings (old), ${b.findings.length} (new); skipped ${JSON.stringify(a.skipped)} / ${JSON.stringify(b.skipped)}`);
}
process.exitCode = differ ? 1 : 0;
