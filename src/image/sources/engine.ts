/**
 * Images in the local Docker (or Podman) image store, read through the Engine API: the engine
 * is asked for the image (inspect), then for its export stream, which is the same tarball
 * `docker save` writes: the classic docker-archive, or an OCI archive when Docker keeps its
 * images in containerd. The archive readers read it (sources/archive.ts).
 */
import { ScoutError } from '../../util/errors.js';
import { EngineClient, type EngineImage } from '../engine/client.js';
import { engineEndpoints } from '../engine/endpoint.js';
import { recallImage, rememberImage } from '../engine/remembered.js';
import { spoolExport } from '../engine/spool.js';
import { formatPlatform } from '../manifest.js';
import { parseReference } from '../reference.js';
import type { Image, ImageSource, OpenOptions } from '../types.js';
import { archiveSource } from './archive.js';

/** The engine's answer: the image, or why it has none (for the message before a registry pull). */
export type EngineLookup = { image: Image; engine: string } | { absent: string; unreachable: boolean };

/** An image ID as Docker accepts it: sha256:<hex>, or (a prefix of) the hex alone. */
function isImageId(name: string): boolean {
  return /^sha256:[a-f0-9]{1,64}$/.test(name) || /^[a-f0-9]{12,64}$/.test(name);
}

function platformMismatch(found: EngineImage, opts: OpenOptions): string | undefined {
  const want = opts.platform;
  if (!want || !found.Os || !found.Architecture) return undefined;
  if (found.Os === want.os && found.Architecture === want.architecture && (!want.variant || !found.Variant || want.variant === found.Variant)) return undefined;
  return formatPlatform({ os: found.Os, architecture: found.Architecture, ...(found.Variant ? { variant: found.Variant } : {}) });
}

/**
 * Look for `name` in each local engine in turn (see engine/endpoint.ts). An engine that is not
 * there, or lacks the image, or has it for another platform than --platform asks, is passed
 * over with the reason kept; any other failure (an export that breaks off, a corrupt archive)
 * is an error, never a silent fallback.
 */
export async function lookInEngines(name: string, opts: OpenOptions): Promise<EngineLookup> {
  const reasons: string[] = [];
  let reachable = false;
  for (const endpoint of await engineEndpoints()) {
    const client = new EngineClient(endpoint);
    try {
      await client.ping();
    } catch (err) {
      if (!(err instanceof ScoutError)) throw err;
      reasons.push(err.message);
      continue;
    }
    reachable = true;
    const found = await client.inspect(name);
    if (!found) {
      reasons.push(`${client.describe} has no image ${name}`);
      continue;
    }
    const other = platformMismatch(found, opts);
    if (other) {
      reasons.push(`${client.describe} has ${name} for ${other} only, not ${formatPlatform(opts.platform!)}`);
      continue;
    }
    return { image: await engineImage(client, name, found, opts), engine: client.describe };
  }
  return { absent: reasons.join('; '), unreachable: !reachable };
}

/**
 * The image `found`: from memory when it was exported before under the same ID (its layers
 * then export it only if they are read), else exported now and remembered.
 */
async function engineImage(client: EngineClient, name: string, found: EngineImage, opts: OpenOptions): Promise<Image> {
  let exporting: Promise<Image> | undefined;
  const exported = () => (exporting ??= exportImage(client, name, found, opts));
  const recalled = opts.cache === false ? undefined : await recallImage(found.Id, opts.platform, exported);
  const img = recalled ?? (await exported());
  if (!recalled && opts.cache !== false) rememberImage(found.Id, opts.platform, img);
  const ref = isImageId(name) ? undefined : safeReference(name);
  return {
    ...img,
    source: 'docker-engine',
    reference: `local://${name}`,
    registry: ref?.registry,
    repository: ref?.repository,
    tag: ref?.tag,
    registryUrl: undefined,
  };
}

async function exportImage(client: EngineClient, name: string, found: EngineImage, opts: OpenOptions): Promise<Image> {
  const describe = `${client.describe}, image ${name}`;
  const path = await spoolExport(await client.export(name), describe);
  let img: Image;
  try {
    // One image was asked for, so the export holds one: no --ref to apply.
    img = await archiveSource.open(path, { ...opts, pick: undefined });
  } catch (err) {
    if (err instanceof ScoutError) throw new ScoutError(err.code, `${describe}: the export could not be read: ${err.message}`, { cause: err });
    throw err;
  }
  // The ID is the config digest (classic store) or the manifest or index digest (containerd).
  if (![img.configDigest, img.manifestDigest, img.indexDigest].includes(found.Id)) {
    throw new ScoutError('engine-image-changed', `${describe}: the engine exported another image than it described (ID ${found.Id}, export ${img.configDigest}); was it re-tagged meanwhile? Try again`);
  }
  return img;
}

function safeReference(name: string) {
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

/** `local://NAME`: the local image store only; never the network. */
export const engineSource: ImageSource = {
  kind: 'docker-engine',
  async open(location: string, opts: OpenOptions): Promise<Image> {
    if (!location) throw new ScoutError('bad-reference', 'local:// needs an image name or ID, e.g. local://myapp:dev or local://sha256:…');
    const r = await lookInEngines(location, opts);
    if ('image' in r) return r.image;
    throw new ScoutError(r.unreachable ? 'engine-unreachable' : 'image-not-found', `local://${location}: ${r.absent}${r.unreachable ? '; start Docker or Podman, or set DOCKER_HOST to its address (local:// never pulls from a registry)' : ' (local:// never pulls from a registry; drop local:// to pull it)'}`);
  },
};
