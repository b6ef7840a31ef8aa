/**
 * How the package fields that CycloneDX has no place for travel as CycloneDX `properties`.
 *
 * Scheme (all names start with `iechor-scout:`; N counts from 0 in the order of the field):
 *   iechor-scout:id                          our package id (also the component's bom-ref)
 *   iechor-scout:type                        purl type, when it differs from the purl's
 *   iechor-scout:namespace                   namespace, when it differs from the purl's
 *   iechor-scout:foundBy                     cataloger name
 *   iechor-scout:size                        installed size in bytes
 *   iechor-scout:location:N:path             evidence file path
 *   iechor-scout:location:N:layerIndex       index, blob digest and diff_id of the layer that
 *   iechor-scout:location:N:layerDigest        last wrote that file
 *   iechor-scout:location:N:layerDiffId
 *   iechor-scout:introducedLayer:index       the first layer in which the package appears
 *   iechor-scout:introducedLayer:digest
 *   iechor-scout:introducedLayer:diffId
 *   iechor-scout:relationship                root | direct | transitive | unknown
 *   iechor-scout:source:name                 source package (deb source, source rpm, apk origin)
 *   iechor-scout:source:version
 *   iechor-scout:ownedBy                     id of the OS package owning the evidence
 *   iechor-scout:license:N:nonSpdxName       marks licenses[N] as a non-SPDX name that happens
 *                                            to look like an SPDX id (rare)
 *   iechor-scout:metadata                    ecosystem metadata as compact JSON
 * On metadata.component (the image) and metadata:
 *   iechor-scout:image                       the image metadata as compact JSON
 *   iechor-scout:image:reference / :platform / :layer:N:diffId   readable copies
 *   iechor-scout:generatedAt, iechor-scout:distro (JSON), iechor-scout:warnings (JSON),
 *   iechor-scout:importedFrom
 * Layer properties are those Syft and Trivy also write, so we read theirs too
 * (syft:location:N:path, syft:location:N:layerID, aquasecurity:trivy:LayerDiffID, ...).
 */
export const P = 'iechor-scout:';

export const prop = {
  id: `${P}id`,
  type: `${P}type`,
  namespace: `${P}namespace`,
  foundBy: `${P}foundBy`,
  size: `${P}size`,
  location: (i: number, field: 'path' | 'layerIndex' | 'layerDigest' | 'layerDiffId') => `${P}location:${i}:${field}`,
  introducedIndex: `${P}introducedLayer:index`,
  introducedDigest: `${P}introducedLayer:digest`,
  introducedDiffId: `${P}introducedLayer:diffId`,
  relationship: `${P}relationship`,
  sourceName: `${P}source:name`,
  sourceVersion: `${P}source:version`,
  ownedBy: `${P}ownedBy`,
  nonSpdxLicense: (i: number) => `${P}license:${i}:nonSpdxName`,
  metadata: `${P}metadata`,
  image: `${P}image`,
  imageReference: `${P}image:reference`,
  imagePlatform: `${P}image:platform`,
  imageLayerDiffId: (i: number) => `${P}image:layer:${i}:diffId`,
  generatedAt: `${P}generatedAt`,
  distro: `${P}distro`,
  warnings: `${P}warnings`,
  importedFrom: `${P}importedFrom`,
};
