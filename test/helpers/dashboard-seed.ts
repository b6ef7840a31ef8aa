/**
 * A real platform server for the dashboard's end-to-end tests: buildApp on a fresh SQLite
 * platform store with the advisory bundle of examples/, listening on 127.0.0.1 (port 0), and
 * images built here with image-builder, catalogued, and pushed through the real API:
 *
 *   acme/debian:12            a Debian 12 base (glibc, openssl, zlib: Debian advisories match)
 *   acme/node:20              the base + an npm runtime layer (lodash 4.17.15, minimist 1.2.5)
 *   acme/web:1.0, acme/web:1.1  the runtime + an app layer (express 4.17.1 / qs 6.7.0, and a newer qs);
 *                             1.1 is pushed as `scout push --secrets` sends it: with BuildKit SLSA
 *                             provenance naming acme/node:20 (so no SBOM attestation: that policy
 *                             fails) and a private key its app layer leaked (no-secrets fails)
 *   globex/secret:1           another organisation's image, on its own base
 *
 * The base was stored 12 days ago and the runtime 5 days ago (through the same ingest as a push,
 * dated then), so the overview's trend has a history: each image's findings first seen that day.
 */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { scoutFromJson, writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import { ingestSbom } from '../../src/server/ingest.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { openImage } from '../../src/image/open.js';
import { buildImage, writeOciLayout, type BuiltImage, type LayerSpec } from './image-builder.js';
import { attestationManifest, attestedIndex, provenanceV02, subjectOf, writeAttestedLayout } from './attestation-builder.js';
import { imageFacts } from '../../src/platform/image-facts.js';
import { pushBody } from '../../src/platform/push-body.js';
import { exampleAdvisories } from './platform-app.js';
import { newLocation } from './platform-db.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { openPlatformJobs, type PlatformJobs } from '../../src/jobs/platform-jobs.js';
import { tempDir } from './tmp.js';

interface After {
  after: (fn: () => Promise<void> | void) => void;
}

const dpkg = (rows: [string, string, string][]) =>
  rows
    .map(([name, version, source]) =>
      [`Package: ${name}`, 'Status: install ok installed', 'Priority: optional', 'Installed-Size: 100', 'Maintainer: Debian <debian-devel@lists.debian.org>', 'Architecture: amd64', ...(source ? [`Source: ${source}`] : []), `Version: ${version}`, `Description: ${name}`, ` ${name}.`].join('\n'),
    )
    .join('\n\n') + '\n';

export const DEBIAN_LAYER: LayerSpec = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
  'var/lib/dpkg/status': dpkg([
    ['base-files', '12.4+deb12u1', ''],
    ['libc6', '2.36-9+deb12u1', 'glibc'],
    ['libssl3', '3.0.9-1', 'openssl'],
    ['zlib1g', '1:1.2.13.dfsg-1', 'zlib'],
  ]),
};

const npmPkg = (name: string, version: string, license = 'MIT', deps?: Record<string, string>) => JSON.stringify({ name, version, description: `${name} package`, license, ...(deps ? { dependencies: deps } : {}) });

export const NODE_LAYER: LayerSpec = {
  'usr/lib/node/node_modules/lodash/package.json': npmPkg('lodash', '4.17.15'),
  'usr/lib/node/node_modules/minimist/package.json': npmPkg('minimist', '1.2.5'),
};

/** A private key a build left in the app folder (what `scout push --secrets` finds). */
export const LEAKED_KEY_PATH = 'app/config/deploy_key';
const LEAKED_KEY = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qJZ1QK3DmvUa8u7hqW8ad3xK2P', 'q1Zx7N4sP3e9rM2yT6uK8wV1bC5dF0gH3jL7nQ2sR4tU6vW8xY0zA1bC3dE5fG7h', '-----END RSA PRIVATE KEY-----', ''].join('\n');

/** The Dockerfile the web images' provenance carries. */
export const WEB_DOCKERFILE = 'FROM acme/node:20\nWORKDIR /app\nCOPY . /app\nENV NODE_ENV=production\nEXPOSE 8080\n';

const appLayer = (qs: string, extra: LayerSpec = {}): LayerSpec => ({
  ...extra,
  'app/package.json': JSON.stringify({ name: 'web', version: '1.0.0', private: true, dependencies: { express: '4.17.1' } }),
  'app/node_modules/express/package.json': npmPkg('express', '4.17.1', 'MIT', { qs }),
  'app/node_modules/qs/package.json': npmPkg('qs', qs, 'BSD-3-Clause'),
});

export interface SeedImage {
  repository: string;
  tag: string;
  layers: LayerSpec[];
  env?: string[];
  labels?: Record<string, string>;
  exposedPorts?: string[];
  /** Stored this many days before now (ingested with that date: a push over HTTP is always now). */
  daysAgo?: number;
  /**
   * Pushed as `scout push --secrets` sends it: from an OCI layout whose BuildKit attestation
   * manifest holds SLSA provenance with this Dockerfile and `base` (a seeded image) among its
   * materials, the layers searched for secrets.
   */
  attested?: { base: string; dockerfile: string };
}

export const ACME_IMAGES: SeedImage[] = [
  { repository: 'acme/debian', tag: '12', layers: [DEBIAN_LAYER], daysAgo: 12 },
  { repository: 'acme/node', tag: '20', layers: [DEBIAN_LAYER, NODE_LAYER], env: ['PATH=/usr/bin:/bin', 'NODE_VERSION=20.11.0'], daysAgo: 5 },
  {
    repository: 'acme/web',
    tag: '1.0',
    layers: [DEBIAN_LAYER, NODE_LAYER, appLayer('6.7.0')],
    env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production'],
    labels: { 'org.opencontainers.image.source': 'https://git.example.com/acme/web', maintainer: 'web-team@acme.example' },
    exposedPorts: ['8080/tcp'],
  },
  {
    repository: 'acme/web',
    tag: '1.1',
    layers: [DEBIAN_LAYER, NODE_LAYER, appLayer('6.11.0', { [LEAKED_KEY_PATH]: LEAKED_KEY })],
    env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production'],
    exposedPorts: ['8080/tcp'],
    attested: { base: 'acme/node:20', dockerfile: WEB_DOCKERFILE },
  },
];

export const GLOBEX_IMAGES: SeedImage[] = [{ repository: 'globex/secret', tag: '1', layers: [{ ...DEBIAN_LAYER, 'etc/globex-only': 'x' }, NODE_LAYER] }];

/** The SBOM JSON of an image built from these layers, as `scout sbom --format json` writes it. */
export async function sbomJsonOf(img: SeedImage): Promise<string> {
  const built = await buildImage({ layers: img.layers, env: img.env, labels: img.labels, exposedPorts: img.exposedPorts });
  const dir = tempDir('seed-image-');
  writeOciLayout(dir, [{ images: [built] }]);
  const { sbom } = await sbomForImage(await openImage(dir), undefined, { cache: false });
  return writeScoutJson(sbom);
}

/**
 * The push body of an attested image: BuildKit's SLSA v0.2 provenance of `built`, its materials
 * the Dockerfile frontend, the base image at `baseDigest` and the Git source, read back the way
 * `scout push --secrets` reads an image (one layer pass, attestations looked for).
 */
async function attestedPushBody(img: SeedImage, built: BuiltImage, baseDigest: string): Promise<Record<string, unknown>> {
  const { base, dockerfile } = img.attested!;
  const provenance = provenanceV02(subjectOf(built, `pkg:docker/${img.repository}@${img.tag}?platform=linux%2Famd64`));
  const git = 'https://git.example.com/acme/web';
  const revision = '9f2c4e1d7a3b5c6d8e0f1a2b3c4d5e6f7a8b9c0d';
  provenance.predicate.materials = [
    provenance.predicate.materials[0]!,
    { uri: `pkg:docker/${base.replace(/:[^:]*$/, '')}@${base.split(':').pop()}?platform=linux%2Famd64`, digest: { sha256: baseDigest.slice(7) } },
    { uri: `${git}.git#refs/heads/main`, digest: { sha1: revision.slice(0, 40) } },
  ];
  const meta = provenance.predicate.metadata['https://mobyproject.org/buildkit@v1#metadata'];
  meta.vcs = { source: git, revision };
  meta.source.infos = [{ filename: 'Dockerfile', language: 'Dockerfile', data: Buffer.from(dockerfile).toString('base64') }];
  const dir = tempDir('seed-attested-');
  writeAttestedLayout(dir, attestedIndex([{ image: built, attestation: attestationManifest([{ content: provenance, predicateType: 'https://slsa.dev/provenance/v0.2' }]) }]), `${img.repository}:${img.tag}`);
  const facts = await imageFacts(`oci-dir://${dir}`, { platform: { os: 'linux', architecture: 'amd64' } }, { cache: false }, { secrets: true });
  return pushBody(facts);
}

export interface SeededServer {
  app: FastifyInstance;
  /** The job queue running in the server's process (re-match on posted advisories, webhook deliveries). */
  jobs: PlatformJobs;
  base: string;
  /** Tokens by organisation and scope. */
  tokens: { acme: { read: string; admin: string }; globex: { read: string } };
  /** Digest of each pushed image, by `repository:tag`. */
  digests: Map<string, string>;
  /** GET a /v1 path with a token, parsed. */
  get<T>(path: string, token: string): Promise<T>;
  push(img: SeedImage, token: string): Promise<string>;
}

export async function seededServer(t: After, webRoot: string): Promise<SeededServer> {
  const { location, drop } = await newLocation('sqlite');
  const platform = await KyselyPlatformStore.open(location);
  const advisories = await exampleAdvisories(t);
  const jobs = await openPlatformJobs({ db: platform.db, location, advisories, queue: { pollMs: 50 }, webhookBackoffMs: 50 });
  const app = await buildApp({ platform, advisories, webRoot, jobs });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  // The jobs stop before the server and the database they use close.
  t.after(async () => {
    await jobs.stop();
    await app.close();
    await platform.close();
    await drop();
  });
  await jobs.start();
  const token = async (org: string, scope: 'read' | 'write' | 'admin') => (await platform.forOrg(await platform.ensureOrg(org)).createToken(`${org}-${scope}`, scope)).token;
  const tokens = { acme: { read: await token('acme', 'read'), admin: await token('acme', 'admin') }, globex: { read: await token('globex', 'read') } };
  const globexWrite = await token('globex', 'write');
  const digests = new Map<string, string>();
  const push = async (img: SeedImage, tok: string) => {
    if (img.daysAgo !== undefined) {
      const caller = await platform.authenticate(tok);
      const r = await ingestSbom(platform.forOrg(caller!.org), advisories, scoutFromJson(JSON.parse(await sbomJsonOf(img)) as Parameters<typeof scoutFromJson>[0]), {
        repository: img.repository,
        tags: [img.tag],
        now: new Date(Date.now() - img.daysAgo * 86_400_000),
      });
      digests.set(`${img.repository}:${img.tag}`, r.image.digest);
      return r.image.digest;
    }
    const body = img.attested
      ? JSON.stringify(await attestedPushBody(img, await buildImage({ layers: img.layers, env: img.env, labels: img.labels, exposedPorts: img.exposedPorts }), digests.get(img.attested.base)!))
      : await sbomJsonOf(img);
    const res = await fetch(`${base}/v1/images?repository=${encodeURIComponent(img.repository)}&tag=${encodeURIComponent(img.tag)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`push ${img.repository}:${img.tag}: ${res.status} ${await res.text()}`);
    const digest = ((await res.json()) as { image: { digest: string } }).image.digest;
    digests.set(`${img.repository}:${img.tag}`, digest);
    return digest;
  };
  for (const img of ACME_IMAGES) await push(img, tokens.acme.admin);
  for (const img of GLOBEX_IMAGES) await push(img, globexWrite);
  const get = async <T>(path: string, tok: string): Promise<T> => {
    const res = await fetch(`${base}/v1${path}`, { headers: { authorization: `Bearer ${tok}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { app, jobs, base, tokens, digests, get, push };
}
