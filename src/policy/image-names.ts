/** Image names as policies compare them: normalised, and matched by globs. */

/** A glob over image names: `*` is any run of characters but `/`, `**` any run at all. */
export function globMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}

/** `alpine:3.19`, `docker.io/alpine`, `library/alpine` all become `docker.io/library/alpine[:tag]`. */
export function normaliseImageName(name: string): string {
  let n = name.replace(/^docker:\/\//, '').replace(/@sha256:[0-9a-f]+$/, '');
  const first = n.split('/')[0];
  const hasHost = n.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) n = `docker.io/${n}`;
  if (n.startsWith('index.docker.io/')) n = n.replace(/^index\./, '');
  const parts = n.split('/');
  if (parts[0] === 'docker.io' && parts.length === 2) n = `docker.io/library/${parts[1]}`;
  return n;
}

/** The repository part of a normalised name (`docker.io/library/alpine:3.19` → `docker.io/library/alpine`). */
export function repositoryOf(name: string): string {
  return normaliseImageName(name).replace(/:[^/:]+$/, '');
}
