/** `--format list`: one readable line per package (name, version, type, layer index, path). */
import { table } from '../../cli/output/text.js';
import type { Package, Sbom } from '../model.js';
import type { Display } from '../../report/types.js';

/** Control characters from hostile package metadata must not reach the terminal. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function layerOf(p: Package): string {
  const layer = p.introducedLayer ?? p.locations.find((l) => l.layer)?.layer;
  return layer ? String(layer.index) : '-';
}

export function packageRows(packages: Package[]): string[][] {
  // OS package namespaces are the distro, not part of the name people know.
  const os = new Set(['deb', 'rpm', 'apk', 'alpm']);
  return packages
    .map((p) => [clean(p.namespace && !os.has(p.type) ? `${p.namespace}/${p.name}` : p.name), clean(p.version), clean(p.type), layerOf(p), clean(p.locations[0]?.path ?? '-')])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
}

/** On a narrow terminal the path gives way (its end, the file's name, stays); names and versions never. */
export function writeTable(sbom: Sbom, display?: Display): string {
  if (!sbom.packages.length) return 'No packages found.\n';
  const fit = display?.width ? { maxWidth: display.width, shrink: [{ column: 4, keep: 'end' as const }] } : {};
  return table(packageRows(sbom.packages), ['NAME', 'VERSION', 'TYPE', 'LAYER', 'PATH'], fit) + `\n${sbom.packages.length} packages\n`;
}
