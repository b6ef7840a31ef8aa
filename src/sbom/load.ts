import { readFile } from 'node:fs/promises';
import type { OpenOptions } from '../image/types.js';
import type { ScanOptions } from '../image/scan.js';
import { ScoutError } from '../util/errors.js';
import { sbomForImage, sbomForRef } from './build.js';
import type { SbomSource } from './sbom-source.js';
import type { TrustOptions } from '../attest/types.js';
import type { SecretReport } from '../secrets/collect.js';
import type { Sbom } from './model.js';
import type { Attachment } from '../catalog/run.js';

const MAX_SBOM_FILE = 512 * 1024 * 1024;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    n += (c as Buffer).length;
    if (n > MAX_SBOM_FILE) throw new ScoutError('sbom-too-large', `SBOM on standard input is over ${MAX_SBOM_FILE} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * An SBOM from wherever the user points: `sbom://FILE` (or `-` or `sbom://-` for standard
 * input: no image can come from there) is read back (our JSON, CycloneDX, SPDX, plain or
 * in-toto), anything else is an image to catalog. Commands that work on packages (sbom, cves)
 * accept both.
 */
export async function loadSbom(ref: string, open: OpenOptions = {}, scan: ScanOptions = {}, source: { sbomSource?: SbomSource; trust?: TrustOptions; secrets?: boolean } = {}): Promise<{ sbom: Sbom; from: 'file' | 'image'; vexFiles: Attachment[]; secrets?: SecretReport }> {
  if (ref === '-' || ref.startsWith('sbom://')) {
    if (source.secrets) throw new ScoutError('bad-option', `--secrets needs an image: ${ref} is an SBOM, which holds no file contents`);
    const path = ref === '-' ? '-' : ref.slice('sbom://'.length);
    const bytes = path === '-' ? await readStdin() : await readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new ScoutError('not-found', `${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    const { readSbom } = await import('./formats/detect.js');
    try {
      const { sbom, format } = readSbom(bytes);
      return { sbom: { ...sbom, importedFrom: sbom.importedFrom ?? format }, from: 'file', vexFiles: [] };
    } catch (err) {
      if (err instanceof ScoutError) throw new ScoutError(err.code, `${path === '-' ? 'standard input' : path}: ${err.message}`);
      throw err;
    }
  }
  const sbomSource = source.sbomSource ?? 'scan';
  if (sbomSource === 'scan') {
    const { sbom, vexFiles, secrets } = await sbomForRef(ref, open, scan, undefined, { secrets: source.secrets });
    return { sbom, from: 'image', vexFiles, ...(secrets ? { secrets } : {}) };
  }
  // The image's own SBOM attestation, alone or merged with our catalog.
  const { openImage } = await import('../image/open.js');
  const { attestedSbom, mergeSboms } = await import('./attested.js');
  const image = await openImage(ref, open);
  const att = await attestedSbom(image, source.trust);
  if (sbomSource === 'attestation') {
    if (source.secrets) throw new ScoutError('bad-option', '--secrets reads the layers: use it with --sbom-source scan or both');
    if (!att.sbom) throw new ScoutError('attestation-not-found', `${ref} has no usable SBOM attestation${att.warnings.length ? ` (${att.warnings.map((w) => w.message).join('; ')})` : ''}; use --sbom-source scan or both`);
    return { sbom: att.sbom, from: 'image', vexFiles: [] };
  }
  const { sbom, vexFiles, secrets } = await sbomForImage(image, undefined, scan, { secrets: source.secrets });
  const found = secrets ? { secrets } : {};
  if (!att.sbom) return { sbom: { ...sbom, warnings: [...sbom.warnings, ...att.warnings, { code: 'no-sbom-attestation', message: `${ref} has no usable SBOM attestation; the SBOM is our catalog alone` }] }, from: 'image', vexFiles, ...found };
  const merged = mergeSboms(sbom, att.sbom);
  return { sbom: { ...merged, warnings: [...merged.warnings, ...att.warnings] }, from: 'image', vexFiles, ...found };
}
