/**
 * Which SBOM format a file is, from its content (not its name), and reading it into an Sbom.
 * Recognised: our own JSON, CycloneDX JSON, SPDX JSON, and in-toto statements wrapping SPDX or
 * CycloneDX (as image attestations carry them).
 */
import type { Sbom } from '../model.js';
import { cycloneDxFromJson } from './cyclonedx-read.js';
import { SCOUT_SCHEMA, scoutFromJson } from './scout-json.js';
import { invalid, parseJson, type Json } from './shape.js';
import { SPDX_PREDICATE_TYPE, spdxFromJson } from './spdx.js';

export type SbomFormat = 'scout-json' | 'cyclonedx-json' | 'spdx-json';

const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

function isObject(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function detectFormat(doc: Json): SbomFormat | undefined {
  if (!isObject(doc)) return undefined;
  if (doc.schema === SCOUT_SCHEMA) return 'scout-json';
  if (doc.bomFormat === 'CycloneDX') return 'cyclonedx-json';
  if (typeof doc.spdxVersion === 'string') return 'spdx-json';
  if (typeof doc._type === 'string' && doc._type.startsWith('https://in-toto.io/Statement') && typeof doc.predicateType === 'string') {
    if (doc.predicateType.startsWith(SPDX_PREDICATE_TYPE)) return 'spdx-json';
    if (doc.predicateType.startsWith(CYCLONEDX_PREDICATE_TYPE)) return 'cyclonedx-json';
  }
  return undefined;
}

function describe(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart();
  if (head.startsWith('SPDXVersion:')) return 'SPDX tag-value (only SPDX JSON is supported)';
  if (head.startsWith('<')) return 'XML (only the JSON forms of CycloneDX and SPDX are supported)';
  return '';
}

/** Detects and reads an SBOM file. Throws a ScoutError naming what the file is or lacks. */
export function readSbom(bytes: Uint8Array): { format: SbomFormat; sbom: Sbom } {
  const other = describe(bytes);
  if (other) throw invalid('SBOM', `this is ${other}`);
  const doc = parseJson(bytes, 'SBOM');
  const format = detectFormat(doc);
  if (!format) {
    const keys = isObject(doc) ? Object.keys(doc).slice(0, 8).join(', ') : Array.isArray(doc) ? 'a JSON array' : `a JSON ${typeof doc}`;
    throw invalid('SBOM', `not a recognised SBOM: expected "schema": "${SCOUT_SCHEMA}", "bomFormat": "CycloneDX", "spdxVersion", or an in-toto statement with an SPDX or CycloneDX predicate; found ${isObject(doc) ? `keys ${keys || '(none)'}` : keys}`);
  }
  if (format === 'scout-json') return { format, sbom: scoutFromJson(doc) };
  if (format === 'spdx-json') return { format, sbom: spdxFromJson(doc) };
  const cdx = isObject(doc) && typeof doc._type === 'string' && isObject(doc.predicate) ? doc.predicate : doc;
  return { format, sbom: cycloneDxFromJson(cdx) };
}
