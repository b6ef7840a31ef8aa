/**
 * Go build information, as `go version -m` reads it: the `\xff Go buildinf:` header in the
 * data of an ELF, Mach-O or PE binary points at (Go < 1.18) or directly contains (Go 1.18+)
 * the toolchain version and the module information text.
 */
import { ScoutError } from '../../util/errors.js';
import { addrToOffset, parseExecutable, sectionData, type Executable } from './executable.js';
import { MAX_ENTRIES_PER_FILE } from '../limits.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
/**
 * Most bytes of a version or modinfo string read (big programs have a few hundred KiB). A
 * longer one that really is in the file is cut here, at a line end, and said so (`cutFrom`);
 * one that claims more than the file holds is corrupt.
 */
export const MAX_BUILDINFO_STRING = 8 * 1024 * 1024;
const MAX_STRING = MAX_BUILDINFO_STRING;
const MAX_MODULES = MAX_ENTRIES_PER_FILE;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  /** e.g. "go1.22.1" */
  goVersion: string;
  /** The main package's import path. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: [string, string][];
  /** The module information's full size when it was over MAX_BUILDINFO_STRING and read only that far. */
  cutFrom?: number;
}

/** Read a Go binary's build info; undefined when it has none (not a Go binary). */
export function readGoBuildInfo(buf: Buffer, name = 'binary'): GoBuildInfo | undefined {
  const exe = parseExecutable(buf);
  if (!exe) return undefined;
  const raw = findRawBuildInfo(buf, exe, name);
  if (!raw) return undefined;
  const info = parseModInfo(raw.modinfo, raw.cutFrom === undefined);
  return { goVersion: raw.version, ...info, ...(raw.cutFrom !== undefined ? { cutFrom: raw.cutFrom } : {}) };
}

interface RawBuildInfo {
  version: string;
  modinfo: string;
  cutFrom?: number;
}

/**
 * At most MAX_STRING bytes of a string that lies whole in the file, ended at its last line
 * break so no module line is read half; `cut` records the full length. A cut string loses its
 * end sentinel, so its start sentinel (when the whole is framed) is dropped here.
 */
function boundedText(buf: Buffer, start: number, len: number, cut: (full: number) => void): string {
  if (len <= MAX_STRING) return buf.toString('utf8', start, start + len);
  cut(len);
  const nl = buf.lastIndexOf(0x0a, start + MAX_STRING - 1);
  const framed = buf[start + len - 17] === 0x0a;
  return buf.toString('utf8', framed ? start + 16 : start, nl >= start + 16 ? nl + 1 : start + MAX_STRING);
}

/**
 * Where the header may be: in the named section when the binary has one; otherwise every
 * 16-byte-aligned occurrence in the file (the magic also appears as a string constant in
 * programs that read build info themselves, so each candidate must still parse).
 */
function headerCandidates(buf: Buffer, exe: Executable): number[] {
  const named = exe.sections.find((s) => s.name === '.go.buildinfo' || s.name === '__go_buildinfo');
  const data = sectionData(buf, named);
  if (named && data) {
    const i = data.indexOf(MAGIC);
    if (i >= 0 && named.offset + i + HEADER_SIZE <= buf.length) return [named.offset + i];
  }
  const out: number[] = [];
  for (let at = buf.indexOf(MAGIC); at >= 0 && out.length < 16; at = buf.indexOf(MAGIC, at + 1)) {
    if (at % 16 === 0 && at + HEADER_SIZE <= buf.length) out.push(at);
  }
  return out;
}

function findRawBuildInfo(buf: Buffer, exe: Executable, name: string): RawBuildInfo | undefined {
  let firstError: unknown;
  for (const h of headerCandidates(buf, exe)) {
    try {
      return readHeader(buf, exe, h, name);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
  return undefined;
}

function readHeader(buf: Buffer, exe: Executable, h: number, name: string): RawBuildInfo {
  const ptrSize = buf[h + 14];
  const flags = buf[h + 15];
  const bad = (what: string): never => {
    throw new ScoutError('go-buildinfo-corrupt', `${name}: Go build info ${what}`, { path: name });
  };
  let cutFrom: number | undefined;
  const cut = (full: number) => {
    cutFrom = full;
  };
  if (flags & 2) {
    // Go 1.18+: two varint-length strings right after the 32-byte header.
    let at = h + HEADER_SIZE;
    const readStr = (limit: (full: number) => void): string => {
      const [len, n] = uvarint(buf, at);
      if (n <= 0 || at + n + len > buf.length) bad('has a bad inline string');
      const s = boundedText(buf, at + n, len, limit);
      at += n + len;
      return s;
    };
    const version = readStr(() => bad('version string is too long'));
    const modinfo = readStr(cut);
    return { version, modinfo, ...(cutFrom !== undefined ? { cutFrom } : {}) };
  }
  if (ptrSize !== 4 && ptrSize !== 8) bad(`has pointer size ${ptrSize}`);
  const bigEndian = (flags & 1) === 1;
  const readPtr = (off: number): number => {
    if (off < 0 || off + ptrSize > buf.length) bad('points outside the file');
    if (ptrSize === 4) return bigEndian ? buf.readUInt32BE(off) : buf.readUInt32LE(off);
    const v = bigEndian ? buf.readBigUInt64BE(off) : buf.readBigUInt64LE(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  };
  // Each pointer addresses a Go string header {data *byte, len int} in the binary's memory.
  const readGoString = (addr: number, limit: (full: number) => void): string => {
    const hdr = addrToOffset(exe, addr);
    if (hdr === undefined) bad('string header is not mapped');
    const dataAddr = readPtr(hdr!);
    const len = readPtr(hdr! + ptrSize);
    if (len < 0 || len > buf.length) bad('string is longer than the file');
    if (len === 0) return '';
    const data = addrToOffset(exe, dataAddr);
    if (data === undefined || data + len > buf.length) bad('string data is not mapped');
    return boundedText(buf, data!, len, limit);
  };
  const version = readGoString(readPtr(h + 16), () => bad('version string is too long'));
  const modinfo = readGoString(readPtr(h + 16 + ptrSize), cut);
  return { version, modinfo, ...(cutFrom !== undefined ? { cutFrom } : {}) };
}

function uvarint(buf: Buffer, at: number): [number, number] {
  let x = 0;
  let shift = 0;
  for (let i = 0; i < 10 && at + i < buf.length; i++) {
    const b = buf[at + i];
    x += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [x, i + 1];
    shift += 7;
  }
  return [0, -1];
}

/** Go writes quoted settings with strconv.Quote; JSON covers all but \x, \a, \v and ' escapes. */
function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  try {
    return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, "'")) as string;
  } catch {
    return s.replace(/^"|"$/g, '');
  }
}

/**
 * Parse the module information text (`path`, `mod`, `dep`, `=>`, `build` lines). `mayBeFramed`
 * false: the text is known to have no sentinels (a cut string, see boundedText).
 */
export function parseModInfo(text: string, mayBeFramed = true): Omit<GoBuildInfo, 'goVersion'> {
  // The linker frames the text with 16-byte sentinels; strip them when present.
  if (mayBeFramed && text.length >= 33 && text[text.length - 17] === '\n') text = text.slice(16, -16);
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    const fields = rest.split('\t');
    const mod = (): GoModule => {
      const m: GoModule = { path: fields[0] ?? '', version: fields[1] ?? '' };
      if (fields[2]) m.sum = fields[2];
      return m;
    };
    switch (kind) {
      case 'path':
        out.path = rest;
        break;
      case 'mod':
        out.main = mod();
        last = out.main;
        break;
      case 'dep':
        if (out.deps.length >= MAX_MODULES) break;
        last = mod();
        if (last.path) out.deps.push(last);
        break;
      case '=>':
        // Replaces the module on the previous line.
        if (last) last.replace = mod();
        break;
      case 'build': {
        const eq = rest.startsWith('"') ? rest.indexOf('=', rest.indexOf('"', 1) + 1) : rest.indexOf('=');
        if (eq > 0 && out.settings.length < 1000) out.settings.push([unquote(rest.slice(0, eq)), unquote(rest.slice(eq + 1))]);
        break;
      }
    }
  }
  return out;
}

const GO_SEMVER = /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?$/;

/** Whether a string is a version `golang.org/x/mod/semver` would accept, with or without the `v`. */
export function isGoSemver(v: string): boolean {
  return GO_SEMVER.test(v) || GO_SEMVER.test('v' + v);
}

/**
 * A version stamped with `-ldflags "-X <pkg>.version=..."` (keys ending in `.version` or
 * `.ver`, case-insensitive), which many projects use instead of module versions.
 */
export function versionFromLdflags(ldflags: string): string | undefined {
  const tokens = ldflags.split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    let assignment: string | undefined;
    if (t === '-X' || t === '--X') assignment = tokens[++i];
    else if (/^--?X=/.test(t)) assignment = t.slice(t.indexOf('=') + 1);
    else if (t.startsWith('-X') && t.length > 2 && !t.startsWith('-X=')) assignment = t.slice(2);
    if (!assignment) continue;
    const eq = assignment.indexOf('=');
    if (eq <= 0) continue;
    const key = assignment.slice(0, eq).replace(/^['"]+/, '').toLowerCase();
    const value = assignment.slice(eq + 1).replace(/['"]+$/, '');
    if ((key.endsWith('.version') || key.endsWith('.ver')) && isGoSemver(value)) return value;
  }
  return undefined;
}
