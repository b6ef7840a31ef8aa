import type { License, Package } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';

/** A runtime installed by copying files (official images' /usr/local, /opt), not by a package manager. */
export function runtimePackage(o: {
  name: string;
  version: string;
  foundBy: string;
  paths: string[];
  license: string;
  purlType?: string;
  purlVersion?: string;
  description: string;
  metadata?: Record<string, unknown>;
}): Package {
  const licenses: License[] = [{ spdx: o.license }];
  return {
    id: '',
    name: o.name,
    version: o.version,
    type: o.purlType ?? 'generic',
    purl: purlFor({ type: o.purlType ?? 'generic', name: o.name, version: o.purlVersion ?? o.version }),
    description: o.description,
    licenses,
    locations: o.paths.map((path) => ({ path })),
    foundBy: o.foundBy,
    metadata: { installedWithoutPackageManager: true, ...o.metadata },
  };
}

/** A version as runtimes print it: digits and dots, maybe a pre-release tail. Bounded. */
export function plausibleVersion(v: string | undefined): v is string {
  return !!v && v.length <= 64 && /^\d+(\.\d+){0,3}([-+.~]?[0-9A-Za-z][0-9A-Za-z.+-]*)?$/.test(v);
}

/** Value of `#define NAME value` in a C header (quotes removed). */
export function cDefine(text: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*#\\s*define\\s+${name}\\s+("([^"\\n]*)"|(\\S+))`, 'm').exec(text);
  return m ? (m[2] ?? m[3]) : undefined;
}
