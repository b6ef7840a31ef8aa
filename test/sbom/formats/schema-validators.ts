// Validators for the official CycloneDX 1.6 and SPDX 2.3 JSON schemas (test/fixtures/schemas).
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const dir = 'test/fixtures/schemas';
const load = (p: string): Record<string, unknown> => JSON.parse(readFileSync(`${dir}/${p}`, 'utf8')) as Record<string, unknown>;

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

export function cycloneDxValidator(): ValidateFunction {
  if (!cdx) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(load('cyclonedx-1.6/spdx.schema.json'));
    ajv.addSchema(load('cyclonedx-1.6/jsf-0.82.schema.json'));
    cdx = ajv.compile(load('cyclonedx-1.6/bom-1.6.schema.json'));
  }
  return cdx;
}

export function spdxValidator(): ValidateFunction {
  if (!spdx) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    spdx = ajv.compile(load('spdx-2.3/spdx-schema.json'));
  }
  return spdx;
}
