/**
 * Tar member names inside the image root: shared by the layer pass (tar-index.ts) and by
 * TarFile, which lists an archive's members without loading the layer pass.
 */

/** A name that needs the general case: '..' or '.' segments, doubled or back slashes, a trailing '/'. */
const IRREGULAR_NAME = /(^|\/)\.\.?(\/|$)|\/\/|\\|\/$/;

/**
 * Confine a tar member name to the image root. Returns the normalised absolute path, or
 * undefined when the name climbs out of the root with '..' (such entries are hostile).
 */
export function confineTarPath(name: string): { path?: string; absolute: boolean } {
  const absolute = name.startsWith('/');
  // Layers list tens of thousands of names like 'usr/lib/x' or './usr/lib/x': keep those cheap.
  // './/etc/x' leaves '/etc/x' once './' is dropped: not plain (it gave '//etc/x').
  const plain = name.startsWith('./') ? name.slice(2) : name;
  if (plain !== '' && !IRREGULAR_NAME.test(plain) && (absolute || plain[0] !== '/')) return { path: absolute ? plain : '/' + plain, absolute };
  const parts: string[] = [];
  for (const part of name.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { absolute };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: '/' + parts.join('/'), absolute };
}
