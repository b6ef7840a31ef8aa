import type { CaptureSpec } from '../image/capture.js';
import type { FileTree } from '../image/filetree.js';
import type { DistroInfo } from '../sbom/model.js';

/** Where os-release(5) says to look, in order: /etc wins, /usr/lib is the vendor fallback. */
export const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];

/** os-release files are a few hundred bytes; anything far bigger is not one. */
const MAX_OS_RELEASE = 64 * 1024;
const MAX_LINES = 1000;

/**
 * What the layer pass must keep to read the distro. /etc/os-release is usually a symlink to
 * ../usr/lib/os-release, so both are captured and the tree follows the link.
 */
export const osReleaseCapture: CaptureSpec = {
  selectors: [{ globs: OS_RELEASE_PATHS, maxSize: MAX_OS_RELEASE }],
  analyzers: [],
};

/**
 * Parse os-release text: KEY=value lines, values optionally in single or double quotes, with
 * shell-style backslash escapes inside double quotes. Lines that are not assignments are ignored
 * (the format says so), which also makes the parser safe on arbitrary bytes.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/, MAX_LINES);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]] = unquote(m[2]);
  }
  return out;
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\([\\"$`])/g, '$1') : inner;
  }
  return v;
}

/** DistroInfo from parsed os-release fields; undefined when there is no ID. */
export function distroFromFields(f: Record<string, string>): DistroInfo | undefined {
  const id = f.ID?.trim().toLowerCase();
  if (!id) return undefined;
  const d: DistroInfo = { id };
  if (f.VERSION_ID) d.versionId = f.VERSION_ID.trim();
  if (f.VERSION_CODENAME) d.versionCodename = f.VERSION_CODENAME.trim();
  if (f.PRETTY_NAME) d.prettyName = f.PRETTY_NAME.trim();
  if (f.ID_LIKE) {
    const like = f.ID_LIKE.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (like.length) d.idLike = like;
  }
  return d;
}

/** The image's distro from the first os-release file found (symlinks followed through the tree). */
export function readDistro(tree: FileTree): DistroInfo | undefined {
  for (const p of OS_RELEASE_PATHS) {
    const buf = tree.read(p);
    if (!buf || buf.length > MAX_OS_RELEASE) continue;
    const d = distroFromFields(parseOsRelease(buf.toString('utf8')));
    if (d) return d;
  }
  return undefined;
}
