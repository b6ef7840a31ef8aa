// Writes test/fixtures/versions/maven-oracle.tsv: generated pairs of Maven versions, each with the
// order Maven itself gives. Run with a clone of apache/maven (JDK 17+ needed):
//   node scripts/maven-oracle/generate.mjs /path/to/apache/maven [MASTER_REF 39X_REF]
// Maven's ComparableVersion.java is compiled from two points of its history, master at 540897d
// (the commit maven.tsv's Maven rows come from) and the maven-3.9.x branch, and a pair is kept
// only where both give the same order. Two shapes of version are not generated, because the two
// lines parse them into different trees and src/versions/maven.ts follows neither line fully:
// - a letter run followed by '-' and a digit ('1-beta-1'): master reads it as one item
//   (CombinationItem, 'beta-1' = 'beta1'), 3.9 as a qualifier and a sub-list, and maven.tsv
//   (from master's own ComparableVersionTest) still pins rows that only 3.9's reading gives;
// - a zero right before a qualifier ('1.0.final', '2-0rc'): MNG-7714 changed how that zero is
//   read, master drops it, 3.9 keeps it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [mavenRepo, ...refs] = process.argv.slice(2);
if (!mavenRepo) throw new Error('usage: node scripts/maven-oracle/generate.mjs /path/to/apache/maven [MASTER_REF 39X_REF] (a git clone)');
const REFS = refs.length ? refs : ['540897d3d3c3', 'maven-3.9.x'];
const PAIRS = 4000;
const SHORT_PAIRS = 2000;
const here = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../../test/fixtures/versions/maven-oracle.tsv', import.meta.url));

/** mulberry32, as test/versions/conformance.ts's seededRandom: the same pairs on every run. */
function seededRandom(seed) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(16);
const pick = (xs) => xs[Math.floor(random() * xs.length)];
// Numbers of every size Maven reads differently (int, long, BigInteger), with leading zeros;
// qualifiers known, aliased, released and unknown, in mixed case; every separator.
const NUMBERS = ['0', '1', '2', '9', '10', '01', '00', '123', '2147483648', '9223372036854775808'];
const WORDS = ['a', 'b', 'm', 'alpha', 'beta', 'milestone', 'rc', 'cr', 'sp', 'ga', 'final', 'release', 'snapshot', 'jre', 'android', 'redhat', 'x', 'GA', 'Final', 'RELEASE', 'SNAPSHOT', 'RC', 'Beta', 'M'];
function version() {
  let s = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(NUMBERS)).join('.');
  const qualifiers = Math.floor(random() * 3);
  for (let i = 0; i < qualifiers; i++) {
    s += pick(['-', '.', '']) + pick(WORDS);
    if (random() < 0.5) s += pick(['', '-', '.']) + pick(NUMBERS);
  }
  if (random() < 0.1) s += pick(['.0', '-0', '.1', '-1']);
  return s;
}
// A near neighbour of a version: one small edit that keeps it equal in Maven or nearly so, where
// the order hangs on the normalisation rules (trailing zeros and release words, aliases, case,
// leading zeros, '.' against '-').
const NEAR = [
  (v) => v.toUpperCase(),
  (v) => v + pick(['.0', '-0', '.0.0', '-ga', '.final', '-release', '-FINAL', '-sp', '-1', '.1']),
  (v) => v.replace(/cr/gi, 'rc'),
  (v) => v.replace(/rc/gi, 'cr'),
  (v) => v.replace(/[1-9]/, '0$&'),
  (v) => v.replace(/-/, '.'),
  (v) => v.replace(/\./, '-'),
  (v) => v.replace(/(alpha|beta|milestone)/i, (w) => w[0]),
  (v) => v.replace(/\.0$/, ''),
];
const unsettled = (v) => /(^|[^0-9])0+[.-]?[a-z]/i.test(v) || /[a-z]-[0-9]/i.test(v);

// Short strings of any shape, as a hand-written or broken version may be: leading, doubled and
// trailing separators, a qualifier first, a number after a letter, a '+' (sorted below the digits).
const PIECES = ['.', '-', '+', '0', '1', '2', '00', '10', 'a', 'b', 'm', 'rc', 'cr', 'sp', 'ga', 'final', 'x', 'alpha', 'snapshot', 'RC'];
const shortString = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(PIECES)).join('');

const pairs = [];
while (pairs.length < PAIRS) {
  const a = version();
  const b = random() < 0.4 ? pick(NEAR)(a) : version();
  if (!unsettled(a) && !unsettled(b)) pairs.push([a, b]);
}
while (pairs.length < PAIRS + SHORT_PAIRS) {
  const a = shortString();
  const b = random() < 0.3 ? pick(NEAR)(a) : shortString();
  if (!unsettled(a) && !unsettled(b)) pairs.push([a, b]);
}
const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');

const work = mkdtempSync(join(tmpdir(), 'maven-oracle-'));
try {
  const answers = REFS.map((ref, i) => {
    const dir = join(work, String(i));
    const commit = execFileSync('git', ['-C', mavenRepo, 'rev-parse', ref], { encoding: 'utf8' }).trim();
    console.log(`${ref}: ${commit}`);
    const path = execFileSync('git', ['-C', mavenRepo, 'ls-tree', '-r', '--name-only', ref], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .find((p) => p.endsWith('maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java'));
    if (!path) throw new Error(`${ref}: no ComparableVersion.java`);
    // javac wants a public class in a file of its name: one folder per ref.
    const source = join(work, `src-${i}`, 'ComparableVersion.java');
    mkdirSync(join(work, `src-${i}`));
    writeFileSync(source, execFileSync('git', ['-C', mavenRepo, 'show', `${commit}:${path}`]));
    execFileSync('javac', ['-d', dir, source, join(here, 'MavenOrder.java')], { stdio: 'inherit' });
    const r = spawnSync('java', ['-cp', dir, 'MavenOrder'], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${ref}: java failed: ${r.stderr}`);
    const ops = r.stdout.trimEnd().split('\n');
    if (ops.length !== pairs.length) throw new Error(`${ref}: ${ops.length} answers for ${pairs.length} pairs`);
    return ops;
  });
  const kept = pairs.flatMap(([a, b], i) => (answers.every((ops) => ops[i] === answers[0][i]) ? [`${a}\t${answers[0][i]}\t${b}`] : []));
  writeFileSync(out, ['a\top\tb', ...kept].join('\n') + '\n');
  console.log(`${kept.length} of ${pairs.length} pairs kept (both Maven lines agree); written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
