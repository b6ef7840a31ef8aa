/**
 * Maven Package URLs. Local until src/sbom/purl.ts lands; packageurl-js does the encoding.
 */
import { PackageURL } from 'packageurl-js';

export function mavenPurl(groupId: string, artifactId: string, version: string): string {
  return new PackageURL('maven', groupId || undefined, artifactId, version || undefined, undefined, undefined).toString();
}
