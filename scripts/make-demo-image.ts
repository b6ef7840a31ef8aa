/**
 * Writes examples/demo-image.tar: a small OCI archive that stands in for a typical service
 * image (a Debian 12 base, a Node.js app with a lockfile, a Python tool), so the README's
 * first command runs offline. The package data is hand-written in the real formats (dpkg
 * status, package.json, package-lock v3, dist-info METADATA) with versions that shipped.
 * Run: node --import tsx scripts/make-demo-image.ts
 */
import { writeOciArchive, buildImage } from '../test/helpers/image-builder.js';

const debs: [string, string, string, string, number, string][] = [
  // name, version, source (or ''), arch, installed KiB, description
  ['base-files', '12.4+deb12u1', '', 'amd64', 339, 'Debian base system miscellaneous files'],
  ['bash', '5.2.15-2+b2', '', 'amd64', 7164, 'GNU Bourne Again SHell'],
  ['libc6', '2.36-9+deb12u1', 'glibc', 'amd64', 12986, 'GNU C Library: Shared libraries'],
  ['libssl3', '3.0.9-1', 'openssl', 'amd64', 6170, 'Secure Sockets Layer toolkit - shared libraries'],
  ['openssl', '3.0.9-1', '', 'amd64', 2275, 'Secure Sockets Layer toolkit - cryptographic utility'],
  ['zlib1g', '1:1.2.13.dfsg-1', 'zlib', 'amd64', 168, 'compression library - runtime'],
  ['apt', '2.6.1', '', 'amd64', 4196, 'commandline package manager'],
  ['tar', '1.34+dfsg-1.2', '', 'amd64', 3152, 'GNU version of the tar archiving utility'],
  ['libcurl4', '7.88.1-10', 'curl', 'amd64', 817, 'easy-to-use client-side URL transfer library (OpenSSL flavour)'],
  ['curl', '7.88.1-10', '', 'amd64', 500, 'command line tool for transferring data with URL syntax'],
  ['libexpat1', '2.5.0-1', 'expat', 'amd64', 396, 'XML parsing C library - runtime library'],
  ['openssh-client', '1:9.2p1-2', 'openssh', 'amd64', 4972, 'secure shell (SSH) client, for secure access to remote machines'],
  ['libsqlite3-0', '3.40.1-2', 'sqlite3', 'amd64', 1711, 'SQLite 3 shared library'],
  ['util-linux', '2.38.1-5+b1', '', 'amd64', 3547, 'miscellaneous system utilities'],
  ['libpam-modules', '1.5.2-6', 'pam', 'amd64', 1031, 'Pluggable Authentication Modules for PAM'],
  ['libncursesw6', '6.4-4', 'ncurses', 'amd64', 412, 'shared libraries for terminal handling (wide character support)'],
];

const status = debs
  .map(([name, version, source, arch, size, desc]) =>
    [
      `Package: ${name}`,
      'Status: install ok installed',
      'Priority: optional',
      `Installed-Size: ${size}`,
      'Maintainer: Debian Maintainers <debian-devel@lists.debian.org>',
      `Architecture: ${arch}`,
      ...(source ? [`Source: ${source}`] : []),
      `Version: ${version}`,
      `Description: ${desc}`,
      ` ${desc}.`,
    ].join('\n'),
  )
  .join('\n\n') + '\n';

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const npm: Record<string, { version: string; description: string; license: string; author?: string; deps?: Record<string, string> }> = {
  express: { version: '4.17.1', description: 'Fast, unopinionated, minimalist web framework', license: 'MIT', author: 'TJ Holowaychuk <tj@vision-media.ca>', deps: { qs: '6.7.0' } },
  qs: { version: '6.7.0', description: 'A querystring parser that supports nesting and arrays, with a depth limit', license: 'BSD-3-Clause' },
  lodash: { version: '4.17.15', description: 'Lodash modular utilities.', license: 'MIT', author: 'John-David Dalton <john.david.dalton@gmail.com>' },
  minimist: { version: '1.2.5', description: 'parse argument options', license: 'MIT', author: 'James Halliday <mail@substack.net>' },
  jsonwebtoken: { version: '8.5.1', description: 'JSON Web Token implementation (symmetric and asymmetric)', license: 'MIT', author: 'auth0', deps: { semver: '^5.6.0' } },
  semver: { version: '5.7.1', description: 'The semantic version parser used by npm.', license: 'ISC' },
};
const direct = ['express', 'lodash', 'minimist', 'jsonwebtoken'];

const appFiles: Record<string, string> = {
  'app/package.json': JSON.stringify({ name: 'demo-api', version: '1.0.0', private: true, dependencies: Object.fromEntries(direct.map((d) => [d, '^' + npm[d].version])) }, null, 2),
  'app/server.js': "const express = require('express');\nexpress().listen(8080);\n",
  'app/package-lock.json': JSON.stringify(
    {
      name: 'demo-api',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'demo-api', version: '1.0.0', dependencies: Object.fromEntries(direct.map((d) => [d, '^' + npm[d].version])) },
        ...Object.fromEntries(
          Object.entries(npm).map(([n, p]) => [`node_modules/${n}`, { version: p.version, resolved: `https://registry.npmjs.org/${n}/-/${n}-${p.version}.tgz`, license: p.license, ...(p.deps ? { dependencies: p.deps } : {}) }]),
        ),
      },
    },
    null,
    2,
  ),
};
for (const [n, p] of Object.entries(npm)) {
  appFiles[`app/node_modules/${n}/package.json`] = JSON.stringify({ name: n, version: p.version, description: p.description, license: p.license, ...(p.author ? { author: p.author } : {}), ...(p.deps ? { dependencies: p.deps } : {}) }, null, 2);
}

const pyFiles = {
  'usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: Python HTTP for Humans.\nHome-page: https://requests.readthedocs.io\nAuthor: Kenneth Reitz\nAuthor-email: me@kennethreitz.org\nLicense: Apache 2.0\nRequires-Dist: urllib3 (<3,>=1.21.1)\n',
  'usr/local/lib/python3.11/site-packages/urllib3-1.26.5.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.5\nSummary: HTTP library with thread-safe connection pooling, file post, and more.\nAuthor: Andrey Petrov\nAuthor-email: andrey.petrov@shazow.net\nLicense: MIT\n',
};

const image = await buildImage({
  created: '2024-06-03T09:30:00Z',
  layers: [
    { 'etc/os-release': { symlink: '../usr/lib/os-release' }, 'usr/lib/os-release': osRelease, 'var/lib/dpkg/status': status, 'bin/bash': 'ELF-placeholder' },
    pyFiles,
    appFiles,
  ],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production', 'PORT=8080'],
  labels: { 'org.opencontainers.image.title': 'demo-api', 'org.opencontainers.image.source': 'https://example.com/iechor/demo-api', 'org.opencontainers.image.version': '1.0.0' },
  exposedPorts: ['8080/tcp'],
  user: 'node',
  workingDir: '/app',
  cmd: ['node', 'server.js'],
  emptyHistoryBefore: { 2: 'ENV NODE_ENV=production' },
});
await writeOciArchive(new URL('../examples/demo-image.tar', import.meta.url).pathname, [{ images: [image], refName: 'demo-api:1.0.0' }]);
console.log(`wrote examples/demo-image.tar (${image.manifestDigest})`);
