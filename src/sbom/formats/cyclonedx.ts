/**
 * CycloneDX 1.6 JSON export (through @cyclonedx/cyclonedx-library) and import of CycloneDX JSON
 * 1.4 to 1.6. The image is metadata.component (type container); every package is a component
 * with purl, author, description, licenses and version; what CycloneDX has no field for travels
 * as `iechor-scout:` properties (scheme in properties.ts); dependencies are the package graph.
 */
import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec, SPDX } from '@cyclonedx/cyclonedx-library';
import type { License, Sbom } from '../model.js';
import { isValidSpdxExpression } from '../license.js';
import { packageExtras, type NameValue } from './extras.js';
import { prop } from './properties.js';
import { imageName, imagePurl } from './image-identity.js';
import { CYCLONEDX_1_6_SPDX_IDS } from './cyclonedx-spdx-ids.js';

const IMAGE_REF = 'image';



/** Licenses of one package: one expression when that is all there is, else a list of licenses. */
/** An id the 1.6 schema accepts in `license.id` (the library's own list is newer than the schema's). */
function allowedId(id: string): boolean {
  return CYCLONEDX_1_6_SPDX_IDS.has(id) && SPDX.isSupportedSpdxId(id);
}

/** A compound SPDX expression (WITH, AND, OR, parentheses, `+`), as opposed to one license id. */
function compound(spdx: string): boolean {
  return /[\s()+]/.test(spdx.trim());
}

function cdxLicenses(licenses: License[], props: NameValue[]): Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  if (licenses.length === 1 && licenses[0].spdx !== undefined && compound(licenses[0].spdx)) {
    repo.add(new Models.LicenseExpression(licenses[0].spdx));
    return repo;
  }
  licenses.forEach((l, i) => {
    // An SPDX id the schema does not list goes in as a name; the importer reads it back as
    // SPDX because it parses as an id.
    if (l.spdx !== undefined && allowedId(l.spdx)) repo.add(new Models.SpdxLicense(l.spdx));
    else {
      // A list cannot hold an expression: a compound SPDX expression goes in as a name, which
      // the importer reads back as SPDX because it parses as one.
      const text = l.spdx ?? l.name ?? '';
      repo.add(new Models.NamedLicense(text));
      if (l.spdx === undefined && isValidSpdxExpression(text)) props.push({ name: prop.nonSpdxLicense(i), value: 'true' });
    }
  });
  return repo;
}

function properties(list: NameValue[]): Models.PropertyRepository {
  const repo = new Models.PropertyRepository();
  for (const { name, value } of list) repo.add(new Models.Property(name, value));
  return repo;
}


export function toCycloneDx(sbom: Sbom): Models.Bom {
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID()}`, version: 1 });
  const ts = new Date(sbom.generatedAt);
  bom.metadata.timestamp = Number.isNaN(ts.getTime()) ? new Date() : ts;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, sbom.tool.name, { version: sbom.tool.version }));
  const meta: NameValue[] = [{ name: prop.generatedAt, value: sbom.generatedAt }];
  if (sbom.distro) meta.push({ name: prop.distro, value: JSON.stringify(sbom.distro) });
  if (sbom.warnings.length) meta.push({ name: prop.warnings, value: JSON.stringify(sbom.warnings) });
  if (sbom.importedFrom) meta.push({ name: prop.importedFrom, value: sbom.importedFrom });
  bom.metadata.properties = properties(meta);

  let root: Models.Component | undefined;
  if (sbom.image) {
    const img = sbom.image;
    const imgProps: NameValue[] = [
      { name: prop.image, value: JSON.stringify(img) },
      { name: prop.imageReference, value: img.reference },
      { name: prop.imagePlatform, value: [img.platform.os, img.platform.architecture, img.platform.variant].filter(Boolean).join('/') },
      ...img.layers.map((l) => ({ name: prop.imageLayerDiffId(l.index), value: l.diffId })),
    ];
    root = new Models.Component(Enums.ComponentType.Container, imageName(img), {
      bomRef: IMAGE_REF,
      version: img.digest,
      purl: imagePurl(img),
      properties: properties(imgProps),
    });
    bom.metadata.component = root;
  }

  const byId = new Map<string, Models.Component>();
  for (const p of sbom.packages) {
    const props = packageExtras(p);
    const licenses = cdxLicenses(p.licenses, props);
    const c = new Models.Component(Enums.ComponentType.Library, p.name, {
      bomRef: p.id,
      version: p.version,
      group: p.namespace,
      purl: p.purl,
      author: p.author,
      description: p.description,
      licenses,
      properties: properties(props),
    });
    byId.set(p.id, c);
    bom.components.add(c);
  }
  for (const p of sbom.packages) {
    const c = byId.get(p.id)!;
    for (const d of p.dependsOn ?? []) {
      const target = byId.get(d);
      if (target) c.dependencies.add(target.bomRef);
    }
  }
  // The image depends on the packages nothing else in it depends on.
  if (root) for (const p of sbom.packages) if (!p.dependencyOf?.length) root.dependencies.add(byId.get(p.id)!.bomRef);
  return bom;
}

export function writeCycloneDx(sbom: Sbom): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(toCycloneDx(sbom), { sortLists: false, space: 2 }) + '\n';
}

// ---------------------------------------------------------------------------- import

export { cycloneDxFromJson, readCycloneDx } from './cyclonedx-read.js';
