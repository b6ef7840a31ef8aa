/**
 * Synthetic stored images for platform benchmarks, shaped as `scout push` stores them: three
 * distribution bases (2 layers each), a runtime layer per repository, one layer of its own per
 * image; OS packages from the base's set and npm packages from a shared pool (so packages
 * overlap between images the way they do in real organisations), and findings on some of them.
 */
import { createHash } from 'node:crypto';
import type { ImageMetadata } from '../../src/image/metadata.js';
import type { SeverityLevel } from '../../src/match/severity.js';
import type { Finding } from '../../src/match/types.js';
import type { Package } from '../../src/sbom/model.js';
import type { ImageUpload } from '../../src/store/platform-store.js';

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');
const LEVELS: SeverityLevel[] = ['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'unknown'];

function pkg(type: string, name: string, version: string, i: number): Package {
  const ns = type === 'deb' ? 'debian' : undefined;
  const purl = `pkg:${type}/${ns ? ns + '/' : ''}${name}@${version}${type === 'deb' ? '?arch=amd64&distro=debian-12' : ''}`;
  return { id: `p${i}`, name, ...(ns ? { namespace: ns } : {}), version, type, purl, licenses: [{ spdx: 'MIT' }], locations: [{ path: type === 'deb' ? '/var/lib/dpkg/status' : `/app/node_modules/${name}/package.json` }], foundBy: 'bench', relationship: i % 3 === 0 ? 'direct' : 'transitive' };
}

function finding(p: Package, n: number): Finding {
  const id = `CVE-2024-${String(10000 + n).padStart(5, '0')}`;
  const fixed = n % 3 !== 0 ? [`${p.version}.1`] : [];
  return {
    id,
    ids: [id],
    package: { id: p.id, name: p.name, version: p.version, purl: p.purl, type: p.type, locations: p.locations },
    ecosystem: p.type === 'deb' ? 'Debian:12' : 'npm',
    queriedName: p.name,
    queriedVersion: p.version,
    status: fixed.length ? 'fixed' : 'unfixed',
    fixedVersions: fixed,
    affectedRanges: [],
    severity: { level: LEVELS[n % LEVELS.length], source: 'advisory', score: 5 + (n % 5) },
    summary: `synthetic vulnerability ${n} in ${p.name}`,
    references: [],
    advisories: [{ id, source: 'bench', modified: '2026-01-01T00:00:00Z' }],
    dataSource: { name: 'bench' },
    trace: [],
  };
}

/** The i-th of `repos` × tags images: repository `team-N/service-M`, tag `1.K`. */
export function syntheticImage(i: number, repos = 200): ImageUpload {
  const repo = i % repos;
  const tag = Math.floor(i / repos);
  const distro = repo % 3;
  const layerNames = [`distro-${distro}-a`, `distro-${distro}-b`, `runtime-${repo}`, `app-${i}`];
  const diffIds = layerNames.map((n) => sha(`layer ${n}`));
  const configDigest = sha(`config ${i}`);
  const digest = sha(`manifest ${i}`);
  const packages: Package[] = [];
  for (let k = 0; k < 20; k++) packages.push(pkg('deb', `lib-d${distro}-${k}`, `1.${k}.${distro}`, packages.length));
  for (let k = 0; k < 20; k++) {
    const n = (repo * 7 + k * 13 + (k < 10 ? 0 : tag)) % 1000;
    packages.push(pkg('npm', `npm-pkg-${n}`, `${1 + (n % 4)}.${n % 10}.${k < 10 ? 0 : tag % 5}`, packages.length));
  }
  const findings = packages.filter((_, k) => (k + i) % 5 === 0).map((p, k) => finding(p, (i * 3 + k) % 4000));
  const metadata: ImageMetadata = {
    reference: `registry.example.com/team-${repo % 20}/service-${repo}:1.${tag}`,
    source: 'registry',
    created: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    digest,
    configDigest,
    platform: { os: 'linux', architecture: i % 4 === 0 ? 'arm64' : 'amd64' },
    os: { type: 'linux', name: 'debian', version: '12' },
    exposedPorts: ['8080/tcp'],
    env: [{ name: 'PATH', value: '/usr/local/bin:/usr/bin' }, { name: 'SERVICE', value: `service-${repo}` }],
    labels: { 'org.opencontainers.image.source': `https://git.example.com/team-${repo % 20}/service-${repo}` },
    layers: diffIds.map((d, k) => ({ index: k, digest: sha(`blob ${d}`), diffId: d, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10_000_000 + k, uncompressedSize: 30_000_000 + k, createdBy: `RUN step ${k}` })),
    history: diffIds.map((_, k) => ({ createdBy: `RUN step ${k}`, emptyLayer: false, layerIndex: k })),
    registry: { host: 'registry.example.com', url: 'https://registry.example.com', type: 'other', repository: `team-${repo % 20}/service-${repo}`, tag: `1.${tag}` },
    size: { compressed: 40_000_000, uncompressed: 120_000_000 },
  };
  return { metadata, packages, findings, distro: { id: 'debian', versionId: '12' }, repository: `team-${repo % 20}/service-${repo}`, tags: [`1.${tag}`] };
}
