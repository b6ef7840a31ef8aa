import { osReleaseCapture, readDistro } from '../catalog/os-release.js';
import type { CaptureSpec } from './capture.js';
import type { FileTree } from './filetree.js';
import type { HistoryMetadata, ImageMetadata, LayerMetadata } from './metadata.js';
import { registryType, registryUrl } from './registry-type.js';
import type { ImageScan } from './scan.js';
import type { Image } from './types.js';
import type { DistroInfo } from '../sbom/model.js';
import { redactMetadata } from './redact.js';

/** What inspect needs from the layer pass: just the os-release files. */
export const INSPECT_CAPTURE: CaptureSpec = osReleaseCapture;

/** Split "NAME=value" keeping '=' inside values; a bare NAME has an empty value. */
function splitEnv(e: string): { name: string; value: string } {
  const i = e.indexOf('=');
  return i === -1 ? { name: e, value: '' } : { name: e.slice(0, i), value: e.slice(i + 1) };
}

/**
 * The image metadata our data-handling page promises, from the manifest and config, plus the
 * OS name and version from os-release in the squashed tree (when the layers were read).
 */
export function imageMetadata(image: Image, scan?: ImageScan, tree?: FileTree): ImageMetadata {
  const allRead = !!scan && scan.failedLayers.length === 0 && scan.layers.every((l) => l.index);
  return imageMetadataFrom(image, {
    layerSizes: scan ? scan.layers.map((l) => l.index?.uncompressedSize) : undefined,
    allLayersRead: allRead,
    distro: tree ? readDistro(tree) : undefined,
  });
}

/** What reading the layers adds to the manifest and config: sizes and the distro. */
export interface LayerFacts {
  layerSizes?: (number | undefined)[];
  allLayersRead?: boolean;
  distro?: DistroInfo;
}

export function imageMetadataFrom(image: Image, facts: LayerFacts = {}): ImageMetadata {
  const c = image.config;
  const cc = c.config ?? {};
  const history = c.history ?? [];
  const historyMeta: HistoryMetadata[] = [];
  let layerIdx = 0;
  for (const h of history) {
    const empty = h.empty_layer === true;
    historyMeta.push({
      created: h.created,
      createdBy: h.created_by,
      comment: h.comment,
      emptyLayer: empty,
      layerIndex: empty ? undefined : layerIdx,
    });
    if (!empty) layerIdx++;
  }
  const nonEmpty = historyMeta.filter((h) => !h.emptyLayer);
  // History is only trusted to describe layers when it has exactly one non-empty entry each.
  const historyFits = nonEmpty.length === image.layers.length;
  const layers: LayerMetadata[] = image.layers.map((l) => {
    const h = historyFits ? nonEmpty[l.index] : undefined;
    const unpacked = facts.layerSizes?.[l.index];
    return {
      index: l.index,
      digest: l.digest,
      diffId: l.diffId,
      mediaType: l.mediaType,
      size: l.size,
      ...(unpacked !== undefined ? { uncompressedSize: unpacked } : {}),
      ...(h?.createdBy !== undefined ? { createdBy: h.createdBy } : {}),
      ...(h?.created !== undefined ? { created: h.created } : {}),
      ...(h?.comment !== undefined ? { comment: h.comment } : {}),
    };
  });
  if (!historyFits) for (const h of historyMeta) delete h.layerIndex;
  const distro = facts.distro;
  const meta: ImageMetadata = {
    reference: image.reference,
    source: image.source,
    ...(c.created ? { created: c.created } : {}),
    digest: image.manifestDigest,
    ...(image.indexDigest ? { indexDigest: image.indexDigest } : {}),
    configDigest: image.configDigest,
    platform: { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) },
    os: {
      type: c.os,
      ...(distro?.id ? { name: distro.id } : {}),
      ...(distro?.versionId ? { version: distro.versionId } : {}),
      ...(distro?.prettyName ? { prettyName: distro.prettyName } : {}),
      ...(c['os.version'] ? { osVersion: c['os.version'] } : {}),
    },
    exposedPorts: Object.keys(cc.ExposedPorts ?? {}).sort(),
    env: (cc.Env ?? []).map(splitEnv),
    labels: { ...(cc.Labels ?? {}) },
    ...(cc.User ? { user: cc.User } : {}),
    ...(cc.WorkingDir ? { workingDir: cc.WorkingDir } : {}),
    ...(cc.Entrypoint ? { entrypoint: cc.Entrypoint } : {}),
    ...(cc.Cmd ? { cmd: cc.Cmd } : {}),
    layers,
    history: historyMeta,
    size: {
      compressed: image.layers.reduce((s, l) => s + l.size, 0),
      ...(facts.allLayersRead && facts.layerSizes ? { uncompressed: facts.layerSizes.reduce<number>((s, n) => s + (n ?? 0), 0) } : {}),
    },
  };
  if (image.registry) {
    meta.registry = {
      host: image.registry,
      url: image.registryUrl ?? registryUrl(image.registry),
      type: registryType(image.registry),
      ...(image.mirror ? { mirror: image.mirror } : {}),
      ...(image.repository ? { repository: image.repository } : {}),
      ...(image.tag ? { tag: image.tag } : {}),
    };
  }
  return redactMetadata(meta);
}
