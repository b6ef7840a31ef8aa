import type { RegistryType } from './metadata.js';

/** Registry type by host pattern, as users know the products. */
export function registryType(host: string): RegistryType {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  if (h === 'docker.io' || h === 'index.docker.io' || h === 'registry-1.docker.io') return 'dockerhub';
  if (h === 'ghcr.io' || h === 'docker.pkg.github.com') return 'ghcr';
  if (/\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(h) || h === 'public.ecr.aws') return 'ecr';
  if (/(^|\.)gcr\.io$/.test(h)) return 'gcr';
  if (/-docker\.pkg\.dev$/.test(h)) return 'artifact-registry';
  if (/\.azurecr\.(io|cn|us)$/.test(h)) return 'acr';
  if (h === 'quay.io' || /(^|\.)quay\./.test(h)) return 'quay';
  if (h === 'registry.gitlab.com' || /^registry\.gitlab\./.test(h) || /(^|\.)gitlab\./.test(h)) return 'gitlab';
  if (h === 'localhost' || h === '127.0.0.1' || h === '[::1]') return 'local';
  if (/(^|\.)harbor\./.test(h) || /^harbor/.test(h)) return 'harbor';
  return 'other';
}

/** The URL users would open for the registry's API. */
export function registryUrl(host: string): string {
  if (host === 'docker.io') return 'https://registry-1.docker.io';
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  return `${local ? 'http' : 'https'}://${host}`;
}
