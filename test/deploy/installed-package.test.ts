/**
 * What `npm install -g iechor-scout` resolves, which is not what the repository's lock says:
 * an installed package gets no lock file and no `overrides` (npm applies both to the root
 * project only). A dependency pinned by an override therefore has to be pinned as a direct
 * dependency too, or users get the version the override was there to avoid.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  overrides?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
};

test('every override is also a direct dependency at the same version, so an installed package gets it too', () => {
  for (const [name, version] of Object.entries(pkg.overrides ?? {})) {
    assert.equal(pkg.dependencies[name], version, `${name} is pinned to ${version} by overrides, which npm install -g ignores: add "${name}": "${version}" to dependencies`);
  }
});

test('every runtime package in the lock accepts the Node.js versions package.json promises', () => {
  const oldest = semver.minVersion(pkg.engines.node)!.version;
  for (const [path, p] of Object.entries(lock.packages)) {
    if (!path || p.dev) continue;
    const wants = Array.isArray(p.engines) ? undefined : p.engines?.node;
    if (wants) assert.ok(semver.satisfies(oldest, wants), `${path}@${p.version} requires Node.js ${wants}; package.json promises ${pkg.engines.node}`);
  }
});
