/** The Maven metadata packaged in jars: META-INF/maven/<group>/<artifact>/pom.{properties,xml}. */
import type { License } from '../../sbom/model.js';
import { normaliseLicense } from '../../sbom/license.js';
import { licenseFromText } from './licenses.js';
import { appendAll, minOf } from '../../util/arrays.js';

/** Java .properties: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` escapes. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].replace(/^\s+/, '');
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (!m) continue;
    out.set(unescape(m[1]), unescape(m[2]).trim());
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

export interface PomProperties {
  groupId: string;
  artifactId: string;
  version: string;
}

/** The identity in a pom.properties, or undefined when any of the three is missing. */
export function parsePomProperties(text: string): PomProperties | undefined {
  const p = parseProperties(text);
  const groupId = p.get('groupId') ?? '';
  const artifactId = p.get('artifactId') ?? '';
  const version = p.get('version') ?? '';
  if (!groupId || !artifactId || !version) return undefined;
  return { groupId, artifactId, version };
}

function decodeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (_, h: string) => safeChar(parseInt(h, 16)))
    .replace(/&#(\d{1,7});/g, (_, d: string) => safeChar(parseInt(d, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function safeChar(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/** Remove `<!-- ... -->` in one linear pass (a lazy regex is quadratic on unclosed comments). */
function stripComments(xml: string): string {
  let out = '';
  let at = 0;
  while (true) {
    const open = xml.indexOf('<!--', at);
    if (open < 0) return out + xml.slice(at);
    out += xml.slice(at, open);
    const close = xml.indexOf('-->', open + 4);
    if (close < 0) return out;
    at = close + 3;
  }
}

/** Text of the first `<tag>...</tag>` in s, found with indexOf (linear). */
function element(s: string, tag: string, from = 0): { inner: string; start: number; end: number } | undefined {
  const open = new RegExp(`<${tag}(\\s[^>]*)?>`, 'g');
  open.lastIndex = from;
  const m = open.exec(s);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const close = s.indexOf(`</${tag}>`, start);
  if (close < 0) return undefined;
  return { inner: s.slice(start, close), start: m.index, end: close + tag.length + 3 };
}

/**
 * The part of a pom.xml that speaks of the project itself: what comes before its dependencies,
 * profiles and build (their elements are other projects'), with its <parent> taken out.
 */
function projectPart(xml: string): string {
  const text = stripComments(xml);
  const cut = minOf(['<dependencies', '<profiles', '<dependencyManagement', '<build>'].map((t) => {
    const i = text.indexOf(t);
    return i < 0 ? text.length : i;
  }));
  const head = text.slice(0, cut);
  const parent = element(head, 'parent');
  return parent ? head.slice(0, parent.start) + head.slice(parent.end) : head;
}

/** Longest author or description kept: these are one-line fields, not documents. */
const MAX_TEXT = 1024;

function bounded(s: string | undefined): string | undefined {
  const t = s === undefined ? '' : decodeXml(s);
  return t ? t.slice(0, MAX_TEXT) : undefined;
}

/**
 * What a pom.xml says about its project besides its identity: its description, and as author
 * the organization that makes it or, without one, its first developer.
 */
function aboutIn(text: string): { author?: string; description?: string } {
  const description = bounded(element(text, 'description')?.inner);
  const org = element(text, 'organization');
  const dev = element(element(text, 'developers')?.inner ?? '', 'developer');
  const author = bounded(element(org?.inner ?? '', 'name')?.inner) ?? bounded(element(dev?.inner ?? '', 'name')?.inner);
  return { ...(author ? { author } : {}), ...(description ? { description } : {}) };
}

/**
 * License names (or URLs, when a license has no name) from a pom.xml's top-level
 * <licenses>. A pom is not parsed as a whole: only this block is wanted, and string search
 * over a bounded text cannot be made to expand entities or fetch anything.
 */
export function pomXmlLicenses(xml: string): License[] {
  return licensesIn(projectPart(xml));
}

/** Licenses, author and description of a pom.xml, its project part found once. */
export function pomXmlFacts(xml: string): { licenses: License[]; author?: string; description?: string } {
  const text = projectPart(xml);
  return { licenses: licensesIn(text), ...aboutIn(text) };
}

function licensesIn(text: string): License[] {
  const block = element(text, 'licenses');
  if (!block) return [];
  const out: License[] = [];
  let at = 0;
  for (let n = 0; n < 100; n++) {
    const lic = element(block.inner, 'license', at);
    if (!lic) break;
    at = lic.end;
    const name = element(lic.inner, 'name');
    const url = element(lic.inner, 'url');
    const value = name ? decodeXml(name.inner) : url ? decodeXml(url.inner) : '';
    if (!value) continue;
    // A name goes through the shared normaliser, which maps only what it can without guessing
    // ("The Apache Software License, Version 2.0", not a bare "BSD") and keeps the rest as
    // written; a bare URL is mapped from the well-known ones.
    if (name) appendAll(out, normaliseLicense(value));
    else {
      const l = licenseFromText(value);
      if (l) out.push(l);
    }
  }
  return out;
}
