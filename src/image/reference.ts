import { ScoutError } from '../util/errors.js';

/** A parsed image reference, normalised the way Docker does (docker.io/library/ defaults). */
export interface Reference {
  /** Registry host[:port]; docker.io for Docker Hub. */
  registry: string;
  /** Repository path, e.g. library/alpine. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Fully qualified: registry/repository[:tag][@digest]. */
  canonical: string;
  /** As Docker prints it for humans: alpine:3.19, ghcr.io/o/r@sha256:…. */
  familiar: string;
}

export const DOCKER_HUB = 'docker.io';
const LEGACY_HUB = 'index.docker.io';

// Grammar from distribution/reference: path components, domain, tag and digest.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function bad(ref: string, why: string): never {
  throw new ScoutError('bad-reference', `invalid image reference "${ref}": ${why}`);
}

/** Parse "alpine", "alpine:3.19", "ghcr.io/o/r@sha256:…", "localhost:5000/x:1" and friends. */
export function parseReference(input: string): Reference {
  const ref = input.trim();
  if (!ref) bad(input, 'empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad(input, `"${digest}" is not a digest`);
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) bad(input, 'sha256 digest must be 64 lowercase hex characters');
    if (digest.startsWith('sha512:') && !/^sha512:[a-f0-9]{128}$/.test(digest)) bad(input, 'sha512 digest must be 128 lowercase hex characters');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(input, `"${tag}" is not a valid tag`);
  }
  if (!rest) bad(input, 'no repository name');
  // Docker refuses a bare 64-hex name: it is an image ID, and would be ambiguous as a name.
  if (/^[a-f0-9]{64}$/.test(rest)) bad(input, 'a 64-character hex string is an image ID, not a repository name');
  let registry = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    // The first component is a registry when it looks like a host: has a dot or port, or is
    // localhost, or has upper case (which repositories never do).
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) bad(input, `"${first}" is not a valid registry host`);
      const port = /:(\d+)$/.exec(first)?.[1];
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) bad(input, `port ${port} of registry "${first}" is out of range (1-65535)`);
      registry = first === LEGACY_HUB ? DOCKER_HUB : first;
      path = rest.slice(slash + 1);
    }
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = 'library/' + path;
  for (const c of path.split('/')) {
    if (!COMPONENT.test(c)) bad(input, `repository component "${c}" must be lowercase letters, digits and separators`);
  }
  if (registry.length + 1 + path.length > 255) bad(input, 'repository name is longer than 255 characters');
  if (!tag && !digest) tag = 'latest';
  const suffix = (tag ? ':' + tag : '') + (digest ? '@' + digest : '');
  const canonical = `${registry}/${path}${suffix}`;
  let familiarName = `${registry}/${path}`;
  if (registry === DOCKER_HUB) familiarName = path.startsWith('library/') && path.split('/').length === 2 ? path.slice(8) : path;
  return { registry, repository: path, tag, digest, canonical, familiar: familiarName + suffix };
}
