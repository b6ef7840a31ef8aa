import type { ImageMetadata } from '../../image/metadata.js';
import { bytes, short, table } from './text.js';

export function renderInspectTable(m: ImageMetadata): string {
  const kv: string[][] = [
    ['Reference', m.reference],
    ['Source', m.source],
    ['Digest', m.digest],
    ...(m.indexDigest ? [['Index digest', m.indexDigest]] : []),
    ['Config digest', m.configDigest],
    ['Created', m.created ?? '-'],
    ['Platform', [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/')],
    ['OS', [m.os.prettyName ?? m.os.name, m.os.version && !m.os.prettyName ? m.os.version : ''].filter(Boolean).join(' ') || m.os.type],
    ...(m.registry ? [['Registry', `${m.registry.url} (${m.registry.type})${m.registry.mirror ? `, pulled through ${m.registry.mirror}` : ''}`]] : []),
    ['User', m.user ?? '-'],
    ['Working dir', m.workingDir ?? '-'],
    ['Entrypoint', m.entrypoint ? JSON.stringify(m.entrypoint) : '-'],
    ['Cmd', m.cmd ? JSON.stringify(m.cmd) : '-'],
    ['Exposed ports', m.exposedPorts.join(', ') || '-'],
    ['Size', `${bytes(m.size.compressed)} compressed, ${bytes(m.size.uncompressed)} uncompressed`],
  ];
  const parts = [table(kv)];
  if (m.env.length) parts.push('Environment\n' + table(m.env.map((e) => ['  ' + e.name, e.value])));
  const labels = Object.entries(m.labels);
  if (labels.length) parts.push('Labels\n' + table(labels.map(([k, v]) => ['  ' + k, v])));
  parts.push(
    'Layers\n' +
      table(
        m.layers.map((l) => [String(l.index), short(l.digest), short(l.diffId), bytes(l.size), bytes(l.uncompressedSize), (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 60)]),
        ['#', 'DIGEST', 'DIFF ID', 'SIZE', 'UNPACKED', 'CREATED BY'],
      ),
  );
  return parts.join('\n\n');
}
