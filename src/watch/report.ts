/** A pass of `scout watch` as text: one line of counts, then one line per image, tag and failure. */
import type { PassResult } from './pass.js';

const short = (digest: string) => digest.slice(0, 19);

export function passText(r: PassResult): string {
  const incomplete = r.stored.filter((s) => s.incompleteLayers).length;
  const lines = [
    `${r.finishedAt} ${r.registry}: ${r.repositories} ${r.repositories === 1 ? 'repository' : 'repositories'}, ${r.tags} tags (${r.unchanged} unchanged); ` +
      `${r.stored.length} new ${r.stored.length === 1 ? 'image' : 'images'} analysed and stored${incomplete ? ` (${incomplete} incomplete)` : ''}, ` +
      `${r.retagged.length} ${r.retagged.length === 1 ? 'tag' : 'tags'} moved to a stored image, ${r.untagged.length} removed, ${r.skipped.length} skipped, ${r.failures.length} failed`,
  ];
  for (const s of r.stored) {
    const missing = s.incompleteLayers ? `; incomplete, unread: ${s.incompleteLayers.join(', ')}` : '';
    lines.push(`  stored   ${s.repository}:${s.tags.join(',')}  ${short(s.digest)}  ${s.packages} packages, ${s.vulnerabilities} vulnerabilities${missing}`);
  }
  for (const t of r.retagged) lines.push(`  tagged   ${t.repository}:${t.tag} → ${short(t.digest)} (already stored)`);
  for (const t of r.untagged) lines.push(`  untagged ${t.repository}:${t.tag} (no longer in the registry; ${short(t.digest)} stays)`);
  for (const s of r.skipped) lines.push(`  skipped  ${s.what}: ${s.why}`);
  for (const f of r.failures) lines.push(`  failed   ${f.what}: ${f.message}`);
  return lines.join('\n') + '\n';
}
