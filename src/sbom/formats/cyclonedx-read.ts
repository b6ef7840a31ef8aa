/**
 * CycloneDX JSON (1.4–1.6) import into our SBOM model. Kept apart from the export so reading an
 * SBOM (also done while cataloging images that embed one) does not load the CycloneDX library.
 */
import type { ImageMetadata } from '../../image/metadata.js';
import type { ScanWarning } from '../../util/errors.js';
import type { License, Package, Sbom } from '../model.js';
import { isSpdxLicenseId, isValidSpdxExpression, normaliseLicense } from '../license.js';
import { applyExtras, type NameValue } from './extras.js';
import { applyDependencies, assignIds, basePackage, withoutRepeats } from './import-common.js';
import { prop } from './properties.js';
import { readDistro, readImage, SCOUT_SCHEMA } from './scout-json.js';
import { parseJson, Shape, type Json, type JsonObject } from './shape.js';
import { appendAll } from '../../util/arrays.js';

const FORMAT = 'CycloneDX';
const MAX_NESTING = 16;

function isSimpleSpdxId(expr: string): boolean {
  return /^[A-Za-z0-9.+-]+$/.test(expr) && isSpdxLicenseId(expr.replace(/\+$/, ''));
}


function readProps(s: Shape, v: Json | undefined, path: string): NameValue[] {
  return s.optArr(v, path).map((x, i) => {
    const o = s.obj(x, `${path}[${i}]`);
    return { name: s.str(o.name, `${path}[${i}].name`), value: s.optStr(o.value, `${path}[${i}].value`) ?? '' };
  });
}

function readLicenses(s: Shape, v: Json | undefined, path: string, nonSpdx: Set<number>): License[] {
  const out: License[] = [];
  s.optArr(v, path).forEach((x, i) => {
    const o = s.obj(x, `${path}[${i}]`);
    if (o.expression !== undefined) {
      const expr = s.str(o.expression, `${path}[${i}].expression`);
      appendAll(out, normaliseLicense(expr));
      return;
    }
    const l = s.obj(o.license, `${path}[${i}].license`);
    const id = s.optStr(l.id, `${path}[${i}].license.id`);
    const name = s.optStr(l.name, `${path}[${i}].license.name`);
    if (id !== undefined) out.push({ spdx: id });
    else if (name !== undefined) {
      if (nonSpdx.has(i)) out.push({ name });
      else if (isValidSpdxExpression(name) && !isSimpleSpdxId(name) && /\s(AND|OR|WITH)\s/.test(name)) out.push({ spdx: name });
      else appendAll(out, normaliseLicense(name));
    }
  });
  return out;
}

function authorOf(s: Shape, c: JsonObject, path: string): string | undefined {
  const a = s.optStr(c.author, `${path}.author`);
  if (a !== undefined) return a;
  const authors = s.optArr(c.authors, `${path}.authors`).map((x, i) => s.optStr(s.obj(x, `${path}.authors[${i}]`).name, `${path}.authors[${i}].name`)).filter((x): x is string => !!x);
  return authors.length ? authors.join(', ') : undefined;
}

function jsonProp<T>(props: NameValue[], name: string, problems: string[]): T | undefined {
  const v = props.find((p) => p.name === name)?.value;
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    problems.push(`${name} is not valid JSON`);
    return undefined;
  }
}

export function readCycloneDx(input: string | Uint8Array): Sbom {
  return cycloneDxFromJson(parseJson(input, FORMAT));
}

export function cycloneDxFromJson(doc: Json): Sbom {
  const s = new Shape(FORMAT);
  const o = s.obj(doc, '$');
  if (o.bomFormat !== 'CycloneDX') s.fail('$.bomFormat', `expected "CycloneDX", got ${JSON.stringify(o.bomFormat ?? null)}`);
  const spec = s.str(o.specVersion, '$.specVersion');
  if (!['1.4', '1.5', '1.6'].includes(spec)) s.fail('$.specVersion', `CycloneDX ${spec} is not supported (1.4 to 1.6 are)`);
  const problems: string[] = [];
  const metadata = o.metadata === undefined ? {} : s.obj(o.metadata, '$.metadata');
  const metaProps = readProps(s, metadata.properties, '$.metadata.properties');

  let image: ImageMetadata | undefined;
  let rootRef: string | undefined;
  if (metadata.component !== undefined) {
    const mc = s.obj(metadata.component, '$.metadata.component');
    rootRef = s.optStr(mc['bom-ref'], '$.metadata.component.bom-ref');
    const imgJson = jsonProp<Json>(readProps(s, mc.properties, '$.metadata.component.properties'), prop.image, problems);
    if (imgJson !== undefined) image = readImage(new Shape(`${FORMAT} ${prop.image}`), imgJson, '$');
  }

  let tool = { name: 'unknown', version: '' };
  const tools = metadata.tools;
  const toolList = Array.isArray(tools) ? tools : tools && typeof tools === 'object' ? ((tools as JsonObject).components ?? []) : [];
  const firstTool = s.optArr(toolList as Json, '$.metadata.tools')[0];
  if (firstTool && typeof firstTool === 'object' && !Array.isArray(firstTool)) {
    tool = { name: typeof firstTool.name === 'string' ? firstTool.name : 'unknown', version: typeof firstTool.version === 'string' ? firstTool.version : '' };
  }

  const listed: Package[] = [];
  const refOf = new Map<Package, string | undefined>();
  const walk = (list: Json | undefined, path: string, depth: number): void => {
    if (depth > MAX_NESTING) s.fail(path, `components nested deeper than ${MAX_NESTING}`);
    s.optArr(list, path).forEach((x, i) => {
      const cp = `${path}[${i}]`;
      const c = s.obj(x, cp);
      const name = s.str(c.name, `${cp}.name`);
      const props = readProps(s, c.properties, `${cp}.properties`);
      const nonSpdx = new Set(props.map((p) => /^iechor-scout:license:(\d+):nonSpdxName$/.exec(p.name)).filter((m) => m).map((m) => Number(m![1])));
      const p = basePackage(name, s.optStr(c.version, `${cp}.version`), s.optStr(c.purl, `${cp}.purl`), 'cyclonedx-import');
      const group = s.optStr(c.group, `${cp}.group`);
      if (group) p.namespace = group;
      const author = authorOf(s, c, cp);
      if (author !== undefined) p.author = author;
      const description = s.optStr(c.description, `${cp}.description`);
      if (description !== undefined) p.description = description;
      p.licenses = readLicenses(s, c.licenses, `${cp}.licenses`, nonSpdx);
      applyExtras(p, props, image?.layers, problems);
      listed.push(p);
      refOf.set(p, s.optStr(c['bom-ref'], `${cp}.bom-ref`));
      if (c.components !== undefined) walk(c.components, `${cp}.components`, depth + 1);
    });
  };
  walk(o.components, '$.components', 0);
  if (listed.length > 500_000) s.fail('$.components', 'more than 500000 components');
  const packages = withoutRepeats(listed, (p) => refOf.get(p));
  assignIds(packages, (p) => refOf.get(p) ?? '');

  const idByRef = new Map<string, string>();
  for (const p of packages) {
    const ref = refOf.get(p);
    if (ref !== undefined && !idByRef.has(ref)) idByRef.set(ref, p.id);
  }
  const edges = new Map<string, Set<string>>();
  s.optArr(o.dependencies, '$.dependencies').forEach((x, i) => {
    const d = s.obj(x, `$.dependencies[${i}]`);
    const ref = s.str(d.ref, `$.dependencies[${i}].ref`);
    if (ref === rootRef) return;
    const from = idByRef.get(ref);
    if (!from) return;
    const tos = s.optArr(d.dependsOn, `$.dependencies[${i}].dependsOn`).map((t, j) => s.str(t, `$.dependencies[${i}].dependsOn[${j}]`));
    const set = edges.get(from) ?? new Set<string>();
    for (const t of tos) {
      const id = idByRef.get(t);
      if (id) set.add(id);
    }
    edges.set(from, set);
  });
  applyDependencies(packages, edges);

  const warnings: ScanWarning[] = jsonProp<ScanWarning[]>(metaProps, prop.warnings, problems) ?? [];
  for (const m of problems) warnings.push({ code: 'sbom-import', message: `${FORMAT}: ${m}` });
  const generatedAt = metaProps.find((p) => p.name === prop.generatedAt)?.value ?? (typeof metadata.timestamp === 'string' ? metadata.timestamp : new Date(0).toISOString());
  const sbom: Sbom = {
    schema: SCOUT_SCHEMA,
    generatedAt,
    tool,
    importedFrom: metaProps.find((p) => p.name === prop.importedFrom)?.value ?? `cyclonedx-${spec}`,
    packages,
    packageCount: packages.length,
    warnings,
  };
  if (image) sbom.image = image;
  const distro = jsonProp<Json>(metaProps, prop.distro, problems);
  if (distro !== undefined) sbom.distro = readDistro(new Shape(`${FORMAT} ${prop.distro}`), distro, '$');
  return sbom;
}
