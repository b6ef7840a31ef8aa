// Validators for the official CycloneDX 1.6, SPDX 2.3 and SARIF 2.1.0 JSON schemas
// (test/fixtures/schemas). Every format a schema names is checked: one Ajv does not know
// would otherwise be skipped without a word.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const dir = 'test/fixtures/schemas';
const load = (p: string): Record<string, unknown> => JSON.parse(readFileSync(`${dir}/${p}`, 'utf8')) as Record<string, unknown>;

/**
 * RFC 3987 IRIs are URIs that may also hold non-ASCII characters (ucschar, iprivate) where a
 * URI holds unreserved ones; RFC 3987 §3.1 maps an IRI to a URI by percent-encoding those as
 * UTF-8. So an IRI (reference) is valid when that mapping gives a valid URI (reference).
 */
function iriToUri(s: string): string | undefined {
  try {
    return s.replace(/[^\p{ASCII}]+/gu, (m) => encodeURIComponent(m));
  } catch {
    return undefined; // a lone surrogate: no character at all
  }
}
const uriReference = fullFormats['uri-reference'] as RegExp;
const uri = fullFormats.uri as (s: string) => boolean;

/** idn-email (RFC 6531): an email whose local part and domain may be non-ASCII. */
const email = fullFormats.email as RegExp;

function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const viaUri = (check: (u: string) => boolean) => (s: string) => {
    const u = iriToUri(s);
    return u !== undefined && check(u);
  };
  ajv.addFormat('iri-reference', viaUri((u) => uriReference.test(u)));
  ajv.addFormat('iri', viaUri(uri));
  ajv.addFormat('idn-email', viaUri((u) => email.test(u)));
  return ajv;
}

/** Throws when a schema names a format `ajv` cannot check. */
function assertFormatsKnown(ajv: Ajv, schema: unknown, name: string): void {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'format' && typeof x === 'string') seen.add(x);
        walk(x);
      }
    }
  };
  walk(schema);
  for (const f of seen) if (!ajv.formats[f]) throw new Error(`${name} uses format "${f}", which this validator does not check`);
}

function compile(main: string, refs: string[] = []): ValidateFunction {
  const ajv = strictAjv();
  for (const r of refs) {
    const s = load(r);
    assertFormatsKnown(ajv, s, r);
    ajv.addSchema(s);
  }
  const schema = load(main);
  assertFormatsKnown(ajv, schema, main);
  return ajv.compile(schema);
}

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;
let sarif: ValidateFunction | undefined;

export function cycloneDxValidator(): ValidateFunction {
  cdx ??= compile('cyclonedx-1.6/bom-1.6.schema.json', ['cyclonedx-1.6/spdx.schema.json', 'cyclonedx-1.6/jsf-0.82.schema.json']);
  return cdx;
}

export function spdxValidator(): ValidateFunction {
  spdx ??= compile('spdx-2.3/spdx-schema.json');
  return spdx;
}

export function sarifValidator(): ValidateFunction {
  sarif ??= compile('sarif-2.1.0/sarif-schema-2.1.0.json');
  return sarif;
}
