/**
 * Reads a Java archive (jar, war, ear, Jenkins jpi/hpi) during the layer pass and reduces it
 * to the artifacts it contains: every pom.properties (a shaded or fat jar yields each
 * embedded artifact), the manifest's identity when no pom.properties describes the archive
 * itself, and the same for nested archives (WEB-INF/lib, BOOT-INF/lib, lib/, ...), recursed to
 * a bounded depth with a bounded number of inflated bytes. Problems inside the archive become
 * entries in the result so one bad nested jar does not hide the rest.
 */
import { posix } from 'node:path';
import type { License } from '../../sbom/model.js';
import { ScoutError } from '../../util/errors.js';
import { maxOf } from '../../util/arrays.js';
import { listZip, readZipEntry, type ZipEntry } from '../../util/zip.js';
import type { AnalyzeContext } from '../../image/capture.js';
import { BUDGET_VARIABLES, type BudgetItem, type ImageBudget } from '../../image/image-budget.js';
import { manifestAbout, manifestGroup, manifestIdentity, manifestLicenses, parseManifest, type Manifest } from './manifest.js';
import { parsePomProperties, pomXmlFacts, type PomProperties } from './pom.js';

export interface JavaArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  licenses: License[];
  /** The maker, from pom.xml (organization, else first developer) or the manifest's vendor. */
  author?: string;
  /** From pom.xml's description or the manifest's Bundle-Description. */
  description?: string;
  /**
   * What identified it: a pom.properties, the manifest's own coordinates, or the file name
   * (`artifactId-version.jar`, group from the manifest) when neither does; the cataloger may
   * replace a file-name identity with Debian's maven-repo coordinates ('maven-repo').
   */
  source: 'pom.properties' | 'manifest' | 'file-name' | 'maven-repo';
  /** Entry names from the outer archive down to the archive this artifact describes or sits in. */
  nesting: string[];
}

export interface JavaArchiveProblem {
  code: string;
  message: string;
  nesting: string[];
  /** For a limit that left something unread: the archive it stopped at, and why in a few words. */
  at?: string;
  reason?: string;
}

export interface JavaArchiveAnalysis {
  artifacts: JavaArtifact[];
  problems: JavaArchiveProblem[];
}

export interface JavaArchiveLimits {
  /** Deepest nesting followed (the outer archive is depth 0). */
  maxDepth: number;
  /** Inflated bytes of nested archives, summed over the whole outer archive. */
  maxNestedBytes: number;
  /** Largest single nested archive inflated. */
  maxNestedSize: number;
  /** Largest manifest / pom file read. */
  maxTextSize: number;
  maxArtifacts: number;
  maxProblems: number;
}

export const DEFAULT_JAVA_LIMITS: JavaArchiveLimits = {
  maxDepth: 4,
  maxNestedBytes: 512 * 1024 * 1024,
  maxNestedSize: 256 * 1024 * 1024,
  maxTextSize: 4 * 1024 * 1024,
  maxArtifacts: 20_000,
  maxProblems: 100,
};

export const JAVA_ARCHIVE_EXTENSIONS = ['.jar', '.war', '.ear', '.jpi', '.hpi', '.par', '.sar', '.nar', '.kar', '.rar'];

const EXTENSIONS = new Set(JAVA_ARCHIVE_EXTENSIONS);
const LONGEST_EXTENSION = maxOf(JAVA_ARCHIVE_EXTENSIONS.map((e) => e.length));

/** Asked of every file of every layer: looks at the extension only, without copying the name. */
export function isJavaArchiveName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && name.length - dot <= LONGEST_EXTENSION && EXTENSIONS.has(name.slice(dot).toLowerCase());
}

// Maven puts them at META-INF/maven/<group>/<artifact>/; other build tools and hand-made jars
// use other folders, so any pom.properties counts (its content must still name all three).
const POM_PROPERTIES = /(^|\/)pom\.properties$/;

/**
 * Problems that mean nested archives were left unread because of a limit, not because they
 * were damaged: what they hold is missing from the result, so the layer pass marks its layer
 * incomplete (see FileAnalyzer.cutShort) and reports them there, with the layer.
 */
export const CUT_SHORT_CODES = new Set(['nested-archive-budget', 'java-nesting-too-deep', 'java-nested-budget']);

interface Walk {
  limits: JavaArchiveLimits;
  nestedBytes: number;
  result: JavaArchiveAnalysis;
  /** The image's budget for nested archives, shared with every other archive of the scan. */
  budget?: ImageBudget;
  /** The image's budget ran out during this archive (reported once, then nothing nested is read). */
  spent?: boolean;
  /** When nested-archive time was last charged to the budget (performance.now()); unset before the first nested archive. */
  clock?: number;
}

/** The layer pass's result for an archive: its analysis, or undefined when it holds nothing Java. */
export function javaArchiveResult(content: Buffer, path: string, ctx: AnalyzeContext = {}): JavaArchiveAnalysis | undefined {
  const limits = ctx.budget ? { ...DEFAULT_JAVA_LIMITS, maxDepth: ctx.budget.limits.nestedDepth } : DEFAULT_JAVA_LIMITS;
  const result = analyzeJavaArchive(content, path, limits, ctx.budget);
  return result.artifacts.length || result.problems.length ? result : undefined;
}

/** Analyze the outer archive. Throws a ScoutError only when the outer archive is unreadable. */
export function analyzeJavaArchive(content: Buffer, path: string, limits: JavaArchiveLimits = DEFAULT_JAVA_LIMITS, budget?: ImageBudget): JavaArchiveAnalysis {
  const w: Walk = { limits, nestedBytes: 0, result: { artifacts: [], problems: [] }, budget };
  // The outer archive's own damage is the caller's warning; nested damage is a problem entry.
  const entries = listZip(content, { archiveName: path });
  // Named by its path in the image, so a problem deep inside says where the archive is.
  walkArchive(content, entries, path, [], w);
  chargeTime(w);
  return w.result;
}

/**
 * `stop`: a limit left something unread, there and why (see JavaArchiveProblem); the image's
 * budget stopping this archive is reported once and kept past maxProblems, which other
 * problems may have filled.
 */
function problem(w: Walk, code: string, message: string, nesting: string[], stop?: { at: string; reason: string; always?: boolean }): void {
  if (stop?.always || w.result.problems.length < w.limits.maxProblems) w.result.problems.push({ code, message, nesting: [...nesting], ...(stop ? { at: stop.at, reason: stop.reason } : {}) });
}

const BUDGET_WORDS: Record<BudgetItem, string> = {
  capturedBytes: 'bytes of kept files',
  nestedArchives: 'nested archives',
  nestedEntries: 'entries of nested archives',
  nestedBytes: 'bytes of nested archives',
  nestedMs: 'ms spent on nested archives',
};

/** Which budget, in the `reason` of a stop. */
const BUDGET_SHORT: Record<BudgetItem, string> = { capturedBytes: 'kept bytes', nestedArchives: 'count', nestedEntries: 'entries', nestedBytes: 'bytes', nestedMs: 'time' };

/**
 * Charge the time since the last charge to the image's budget. The first charge (before the
 * first nested archive) only starts the clock: the outer archive's own reading is not nested
 * work. Charged between nested archives, so no time is counted twice through the recursion.
 */
function chargeTime(w: Walk): void {
  if (!w.budget) return;
  const now = performance.now();
  if (w.clock !== undefined) w.budget.spend('nestedMs', now - w.clock);
  w.clock = now;
}

/**
 * Before reading the nested archive `name` of `here`: is there time left? When not, say so once
 * for this outer archive, naming where it stopped; the scan goes on with the next file.
 */
function timeLeft(w: Walk, here: string, name: string, nesting: string[]): boolean {
  if (!w.budget || w.spent) return !w.spent;
  chargeTime(w);
  if (w.budget.left('nestedMs')) return true;
  w.spent = true;
  problem(w, 'nested-archive-budget', `stopped: nested archive budget (time) exceeded in ${here}: the image's ${w.budget.limits.nestedMs} ms for reading nested archives are spent (${BUDGET_VARIABLES.nestedMs}); "${name}" and the rest nested in this archive not read`, nesting, { at: `${here}:${name}`, reason: 'nested archive budget (time) exceeded', always: true });
  return false;
}

/**
 * Draw `n` of `item` from the image's budget for the nested archive `name` of `here`. When it
 * is spent, say so once for this outer archive, naming it, the archive not read and the limit.
 */
function draw(w: Walk, item: BudgetItem, n: number, here: string, name: string, nesting: string[]): boolean {
  if (!w.budget || w.spent) return !w.spent;
  if (w.budget.take(item, n)) return true;
  w.spent = true;
  const max = w.budget.limits[item];
  problem(w, 'nested-archive-budget', `${here}: nested archive "${name}" and the rest nested in this archive not read: the image's budget of ${max} ${BUDGET_WORDS[item]} is spent (${BUDGET_VARIABLES[item]})`, nesting, { at: `${here}:${name}`, reason: `nested archive budget (${BUDGET_SHORT[item]}) exceeded`, always: true });
  return false;
}

function describe(outerName: string, nesting: string[]): string {
  return [outerName, ...nesting].join(':');
}

/** Does this pom.properties describe the archive named `file` (e.g. foo-1.2.jar)? */
function describesFile(p: PomProperties, file: string): boolean {
  const stem = file.replace(/\.[^.]+$/, '');
  return stem === p.artifactId || stem === `${p.artifactId}-${p.version}` || stem.startsWith(`${p.artifactId}-`);
}

/** `commons-logging-1.2.jar` → commons-logging, 1.2; `gettext.jar` → gettext, no version. */
export function nameFromFile(file: string): { artifactId: string; version?: string } {
  const stem = posix.basename(file).replace(/\.[^.]+$/, '');
  const m = /^(.+?)[-_](\d[\w.+~-]*)$/.exec(stem);
  return m ? { artifactId: m[1], version: m[2] } : { artifactId: stem };
}

/** Maven coordinates never hold whitespace ("Commons Logging" is a title, not an artifactId). */
function coordinate(s: string | undefined): string | undefined {
  return s && !/\s/.test(s) ? s : undefined;
}

/**
 * The archive's identity when no pom.properties gives it: the manifest's coordinates when
 * they are coordinates, else the file name's artifactId and version with the manifest's group
 * (Implementation-Vendor-Id, Bundle-SymbolicName) or, lacking one, the artifactId as group.
 */
function identityOf(manifest: Manifest, file: string): { id: { groupId: string; artifactId: string; version: string }; source: 'manifest' | 'file-name' } {
  const m = manifestIdentity(manifest);
  if (m && coordinate(m.groupId) && coordinate(m.artifactId) && coordinate(m.version)) return { id: m, source: 'manifest' };
  const fromName = nameFromFile(file);
  const group = coordinate(m?.groupId) ?? manifestGroup(manifest) ?? fromName.artifactId;
  const version = fromName.version ?? coordinate(m?.version) ?? coordinate(manifest.get('implementation-version')) ?? coordinate(manifest.get('bundle-version')) ?? '';
  return { id: { groupId: group, artifactId: fromName.artifactId, version }, source: 'file-name' };
}

function walkArchive(buf: Buffer, entries: ZipEntry[], outerName: string, nesting: string[], w: Walk): void {
  const here = describe(outerName, nesting);
  const read = (e: ZipEntry, maxSize: number): Buffer | undefined => {
    try {
      return readZipEntry(buf, e, { maxSize, archiveName: here });
    } catch (err) {
      const code = err instanceof ScoutError ? err.code : 'java-archive-error';
      problem(w, code, err instanceof Error ? err.message : String(err), nesting);
      return undefined;
    }
  };

  const poms: { dir: string; props: PomProperties }[] = [];
  const pomXml = new Map<string, ZipEntry>();
  let manifestEntry: ZipEntry | undefined;
  const nested: ZipEntry[] = [];
  let slips = 0;
  for (const e of entries) {
    if (e.isDirectory) continue;
    if (e.unsafeName) {
      // Reported, never read: nothing here is ever extracted, but such an archive is hostile.
      if (slips++ === 0) problem(w, 'zip-slip', `${here}: entry "${e.name}" has an unsafe path (zip-slip); ignored`, nesting);
      continue;
    }
    if (POM_PROPERTIES.test(e.name)) {
      const b = read(e, Math.min(64 * 1024, w.limits.maxTextSize));
      const props = b ? parsePomProperties(b.toString('utf8')) : undefined;
      if (props) poms.push({ dir: posix.dirname(e.name), props });
    } else if (/(^|\/)pom\.xml$/.test(e.name)) {
      pomXml.set(posix.dirname(e.name), e);
    } else if (e.name.toUpperCase() === 'META-INF/MANIFEST.MF') {
      manifestEntry = e;
    } else if (isJavaArchiveName(e.name)) {
      nested.push(e);
    }
  }

  const manifestBuf = manifestEntry ? read(manifestEntry, w.limits.maxTextSize) : undefined;
  const manifest = manifestBuf ? parseManifest(manifestBuf.toString('utf8')) : undefined;
  const ownName = posix.basename(nesting.length ? nesting[nesting.length - 1] : outerName);
  // With one pom.properties it is the archive's own; with several (shaded jar) the file name
  // tells which one, if any, is.
  const own = poms.length === 1 ? poms[0] : poms.find((p) => describesFile(p.props, ownName));

  const add = (a: JavaArtifact): void => {
    if (w.result.artifacts.length < w.limits.maxArtifacts) w.result.artifacts.push(a);
    else if (w.result.artifacts.length === w.limits.maxArtifacts) problem(w, 'java-too-many-artifacts', `${here}: more than ${w.limits.maxArtifacts} artifacts; the rest are ignored`, nesting);
  };
  for (const p of poms) {
    const xmlEntry = pomXml.get(p.dir);
    const xml = xmlEntry ? read(xmlEntry, w.limits.maxTextSize) : undefined;
    const { licenses: fromPom, ...about } = xml ? pomXmlFacts(xml.toString('utf8')) : { licenses: [] };
    // A pom that inherits its licenses from a parent states none; the manifest may. The
    // manifest speaks for the archive's own artifact only, never for what a shaded jar embeds.
    const licenses = !fromPom.length && p === own && manifest ? manifestLicenses(manifest) : fromPom;
    add({ ...p.props, licenses, ...(p === own && manifest ? manifestAbout(manifest) : {}), ...about, source: 'pom.properties', nesting: [...nesting] });
  }
  if (!own && manifest) {
    // A jar with a manifest is an artifact even when the manifest says nothing (Debian builds
    // many with Ant: "Created-By" only): its file name still names it.
    const named = identityOf(manifest, ownName);
    const dup = poms.some((p) => p.props.groupId === named.id.groupId && p.props.artifactId === named.id.artifactId && p.props.version === named.id.version);
    // An archive that only wraps others (a war of libraries) and names no version is a shell,
    // not a library: its contents are the artifacts.
    const shell = named.source === 'file-name' && !named.id.version && nested.length > 0;
    if (!dup && !shell) add({ ...named.id, licenses: manifestLicenses(manifest), ...manifestAbout(manifest), source: named.source, nesting: [...nesting] });
  }

  if (nested.length && nesting.length >= w.limits.maxDepth) {
    problem(w, 'java-nesting-too-deep', `${here}: archives nested deeper than ${w.limits.maxDepth} levels are not read (${BUDGET_VARIABLES.nestedDepth})`, nesting, { at: `${here}:${nested[0].name}`, reason: `nested deeper than ${w.limits.maxDepth} levels` });
    return;
  }
  for (const e of nested) {
    const remaining = w.limits.maxNestedBytes - w.nestedBytes;
    if (e.uncompressedSize > remaining) {
      problem(w, 'java-nested-budget', `${here}: nested archives exceed ${w.limits.maxNestedBytes} bytes in total; "${e.name}" and later ones not read`, nesting, { at: `${here}:${e.name}`, reason: `nested archives of one archive over ${w.limits.maxNestedBytes} bytes` });
      return;
    }
    if (!timeLeft(w, here, e.name, nesting)) return;
    // The declared size is charged: the read below fails on any other.
    if (!draw(w, 'nestedArchives', 1, here, e.name, nesting) || !draw(w, 'nestedBytes', e.uncompressedSize, here, e.name, nesting)) return;
    const inner = read(e, Math.min(w.limits.maxNestedSize, remaining));
    if (!inner) continue;
    w.nestedBytes += inner.length;
    const innerNesting = [...nesting, e.name];
    let innerEntries: ZipEntry[];
    try {
      innerEntries = listZip(inner, { archiveName: describe(outerName, innerNesting) });
    } catch (err) {
      problem(w, err instanceof ScoutError ? err.code : 'java-archive-error', err instanceof Error ? err.message : String(err), innerNesting);
      continue;
    }
    if (!draw(w, 'nestedEntries', innerEntries.length, here, e.name, nesting)) return;
    walkArchive(inner, innerEntries, outerName, innerNesting, w);
  }
}
