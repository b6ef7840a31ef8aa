/**
 * Secrets out of the image metadata. Environment values, labels and history commands are shown
 * (`image inspect`, the SBOM) and stored by the platform, as our data-handling page says; a
 * credential among them is a leaked secret, which Scout shows only masked, in every format. So
 * every value the secret rules recognise is replaced by its mask, the rest kept as it is.
 */
import type { ImageMetadata } from './metadata.js';
import { redactSecrets } from '../secrets/scan-text.js';
import type { StoredProvenance } from '../policy/input.js';

/** `value` with secrets masked, judged with its name in front as the rules expect (`DB_PASSWORD=…`). */
function redactValue(name: string, value: string): string {
  const both = redactSecrets(`${name}=${value}`);
  // A mask that reached into the name (no rule's value starts before the '=') falls back to the value alone.
  return both.startsWith(`${name}=`) ? both.slice(name.length + 1) : redactSecrets(value);
}

const str = (v: unknown): v is string => typeof v === 'string';

/** The metadata with secret values masked; used where it is built and where the platform receives it. */
export function redactMetadata(meta: ImageMetadata): ImageMetadata {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.labels ?? {})) labels[k] = str(v) ? redactValue(k, v) : v;
  return {
    ...meta,
    env: (meta.env ?? []).map((e) => (str(e?.value) && str(e.name) ? { name: e.name, value: redactValue(e.name, e.value) } : e)),
    labels,
    ...(meta.entrypoint ? { entrypoint: meta.entrypoint.map((a) => (str(a) ? redactSecrets(a) : a)) } : {}),
    ...(meta.cmd ? { cmd: meta.cmd.map((a) => (str(a) ? redactSecrets(a) : a)) } : {}),
    layers: (meta.layers ?? []).map((l) => (str(l.createdBy) ? { ...l, createdBy: redactSecrets(l.createdBy) } : l)),
    history: (meta.history ?? []).map((h) => (str(h.createdBy) ? { ...h, createdBy: redactSecrets(h.createdBy) } : h)),
  };
}

/**
 * Provenance with secret values masked: the Dockerfile (a `RUN` or `ENV` line may hold a
 * credential, as history commands do), the VCS source and material URIs (a URL with a token
 * in it). Used where it is read from the attestation and again where the platform receives it.
 */
export function redactProvenance(p: StoredProvenance): StoredProvenance {
  return {
    ...p,
    materials: p.materials.map((m) => ({ ...m, uri: redactSecrets(m.uri) })),
    ...(p.vcs ? { vcs: { ...p.vcs, ...(str(p.vcs.source) ? { source: redactSecrets(p.vcs.source) } : {}) } } : {}),
    ...(p.dockerfile ? { dockerfile: { ...p.dockerfile, ...(str(p.dockerfile.content) ? { content: redactSecrets(p.dockerfile.content) } : {}) } } : {}),
  };
}
