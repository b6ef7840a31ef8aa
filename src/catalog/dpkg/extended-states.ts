import { parseStanzas } from './control.js';

/**
 * Packages apt marked as automatically installed (pulled in as dependencies), keyed by
 * "name" and "name:arch". Everything else was asked for by name.
 */
export function autoInstalled(text: string): Set<string> {
  const out = new Set<string>();
  for (const st of parseStanzas(text)) {
    const name = st.fields.get('package');
    if (!name || st.fields.get('auto-installed')?.trim() !== '1') continue;
    const arch = st.fields.get('architecture');
    out.add(arch ? `${name}:${arch}` : name);
  }
  return out;
}
