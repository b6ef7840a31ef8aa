import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licensesFromCopyright } from '../../../src/catalog/dpkg/copyright.js';
import { dpkgCataloger } from '../../../src/catalog/dpkg/index.js';
import { parseSourceField, splitDebVersion } from '../../../src/catalog/dpkg/version.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import { Warnings } from '../../../src/util/errors.js';

const UBUNTU_OS_RELEASE = 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n';

async function run(files: Record<string, MemoryEntry>) {
  const warnings = new Warnings();
  const tree = await treeFromMemory([files], dpkgCataloger.capture);
  return { pkgs: dpkgCataloger.catalog(tree, { warnings }), warnings };
}

const STATUS = `Package: awk-user
Status: install ok installed
Installed-Size: 10
Maintainer: A <a@example.org>
Architecture: amd64
Version: 2:1.0+dfsg-3ubuntu1
Source: awk-user-src (1.0+dfsg-3)
Pre-Depends: awk
Depends: libc6:any (>= 2.34), missing-pkg | libfoo [amd64]
Description: uses awk
 A longer text.
 .
 Second paragraph.

Package: mawk
Status: install ok installed
Architecture: amd64
Version: 1.3.4-1
Provides: awk

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.35-0ubuntu3

Package: libfoo
Status: hold ok installed
Architecture: amd64
Version: 1.0

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 1.0
`;

test('fields, split version, source with version, size in bytes, ubuntu purl', async () => {
  const { pkgs, warnings } = await run({ '/var/lib/dpkg/status': STATUS, '/etc/os-release': UBUNTU_OS_RELEASE });
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name), ['awk-user', 'mawk', 'libc6', 'libfoo'], 'deinstalled and half-installed are left out');
  const p = pkgs[0];
  assert.equal(p.version, '2:1.0+dfsg-3ubuntu1');
  assert.equal(p.metadata?.epoch, 2);
  assert.equal(p.metadata?.upstreamVersion, '1.0+dfsg');
  assert.equal(p.metadata?.revision, '3ubuntu1');
  assert.deepEqual(p.source, { name: 'awk-user-src', version: '1.0+dfsg-3' });
  assert.equal(p.size, 10 * 1024);
  assert.equal(p.author, 'A <a@example.org>');
  assert.equal(p.description, 'uses awk\nA longer text.\n\nSecond paragraph.');
  assert.equal(p.metadata?.summary, 'uses awk');
  assert.equal(p.namespace, 'ubuntu');
  assert.equal(
    p.purl,
    'pkg:deb/ubuntu/awk-user@2:1.0%2Bdfsg-3ubuntu1?arch=amd64&distro=ubuntu-22.04&upstream=awk-user-src%401.0%2Bdfsg-3',
  );
  assert.equal(pkgs[1].purl, 'pkg:deb/ubuntu/mawk@1.3.4-1?arch=amd64&distro=ubuntu-22.04', 'no upstream when source is itself');
});

test('dependsOn: Depends and Pre-Depends by name, arch qualifiers stripped, virtual names via Provides', async () => {
  const { pkgs } = await run({ '/var/lib/dpkg/status': STATUS });
  assert.deepEqual(pkgs[0].dependsOn, ['libc6', 'libfoo', 'mawk']);
  assert.equal(pkgs[1].dependsOn, undefined);
});

test('extended_states: Auto-Installed: 1 is transitive, the rest direct', async () => {
  const { pkgs } = await run({
    '/var/lib/dpkg/status': STATUS,
    '/var/lib/apt/extended_states': 'Package: libc6\nArchitecture: amd64\nAuto-Installed: 1\n\nPackage: mawk\nArchitecture: amd64\nAuto-Installed: 0\n',
  });
  const rel = Object.fromEntries(pkgs.map((p) => [p.name, p.relationship]));
  assert.deepEqual(rel, { 'awk-user': 'direct', mawk: 'direct', libc6: 'transitive', libfoo: 'direct' });
});

test('malformed stanzas are reported with the file, the others are still read', async () => {
  const bad = `Package: good1
Version: 1.0
Status: install ok installed

this line is not a field
Package: broken
Version: 1

Package: has space
Version: 1

Package: noversion

 orphan continuation

Package: good2
Version: 2.0
Status: install ok installed
`;
  const { pkgs, warnings } = await run({ '/var/lib/dpkg/status': bad, '/var/lib/dpkg/status.d/x': Buffer.from([0xff, 0, 0x3a, 10]) });
  assert.deepEqual(pkgs.map((p) => p.name), ['good1', 'good2']);
  const msgs = warnings.items.filter((w) => w.path === '/var/lib/dpkg/status').map((w) => w.message);
  assert.equal(msgs.length, 4, msgs.join('\n'));
  assert.ok(msgs.every((m) => m.startsWith('/var/lib/dpkg/status: stanza at line')));
  assert.ok(warnings.items.some((w) => w.path === '/var/lib/dpkg/status.d/x'), 'binary junk in status.d is reported too');
});

test('packages from a lower layer status file are replaced by the upper one', async () => {
  const warnings = new Warnings();
  const tree = await treeFromMemory(
    [
      { '/var/lib/dpkg/status': 'Package: a\nVersion: 1\nStatus: install ok installed\n' },
      { '/var/lib/dpkg/status': 'Package: a\nVersion: 2\nStatus: install ok installed\n\nPackage: b\nVersion: 1\nStatus: install ok installed\n' },
    ],
    dpkgCataloger.capture,
  );
  const pkgs = dpkgCataloger.catalog(tree, { warnings });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`), ['a@2', 'b@1']);
});

test('no dpkg database: no packages, no warnings', async () => {
  const { pkgs, warnings } = await run({ '/etc/os-release': UBUNTU_OS_RELEASE, '/usr/share/doc/x/copyright': 'License: MIT\n' });
  assert.deepEqual(pkgs, []);
  assert.deepEqual(warnings.items, []);
});

test('copyright: DEP-5 License fields, "or" lists, common-licenses references', () => {
  const text = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
License: GPL-2+ or Apache-2.0

Files: debian/*
License: BSD-3-clause
 text

License: Apache-2.0
 On Debian systems see /usr/share/common-licenses/Apache-2.0.
`;
  // "or" is a choice: one expression, not two licenses. The stand-alone "License: Apache-2.0"
  // paragraph and its common-licenses path only give the text of a license already named.
  assert.deepEqual(licensesFromCopyright(text), [{ spdx: 'GPL-2.0-or-later OR Apache-2.0' }, { spdx: 'BSD-3-Clause' }]);
  const freeForm = 'This is free software, see /usr/share/common-licenses/GPL-3 and /usr/share/common-licenses/LGPL-2.1.\n';
  assert.deepEqual(licensesFromCopyright(freeForm), [{ spdx: 'GPL-3.0-only' }, { spdx: 'LGPL-2.1-only' }]);
  assert.deepEqual(licensesFromCopyright('License: public-domain\n'), [{ name: 'public-domain' }]);
});

/** A DEP-5 file with one Files paragraph per License value. */
const dep5 = (...licenses: string[]): string =>
  `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n${licenses.map((l, i) => `Files: f${i}\nCopyright: 2020 A\nLicense: ${l}\n`).join('\n')}`;

test('copyright: DEP-5 "or", "and" and "," make one SPDX expression; Debian\'s "Artistic" is Artistic-1.0-Perl', () => {
  // /usr/share/common-licenses/Artistic is Perl's 10-clause text ("7. C subroutines ..."): SPDX Artistic-1.0-Perl.
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+ or Artistic')), [{ spdx: 'GPL-2.0-or-later OR Artistic-1.0-Perl' }]);
  assert.deepEqual(licensesFromCopyright(dep5('Artistic or GPL-1+')), [{ spdx: 'Artistic-1.0-Perl OR GPL-1.0-or-later' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-1+ or Artistic-1')), [{ spdx: 'GPL-1.0-or-later OR Artistic-1.0-Perl' }]);
  // DEP-5: "and" binds tighter than "or" unless a comma precedes it.
  assert.deepEqual(licensesFromCopyright(dep5('Expat or GPL-2+ and LGPL-2.1+')), [{ spdx: 'MIT OR (GPL-2.0-or-later AND LGPL-2.1-or-later)' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-1+ or Artistic, and Expat')), [{ spdx: '(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT' }]);
  assert.deepEqual(licensesFromCopyright(dep5('MPL-1.1 or GPL-2+ or LGPL-2.1+')), [{ spdx: 'MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later' }]);
  // A bare comma lists licenses that all apply.
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+, LGPL-2.1+')), [{ spdx: 'GPL-2.0-or-later AND LGPL-2.1-or-later' }]);
  // Separate Files paragraphs are separate licenses, de-duplicated.
  assert.deepEqual(licensesFromCopyright(dep5('GPL-1+ or Artistic', 'GPL-1+ or Artistic', 'Zlib')), [{ spdx: 'GPL-1.0-or-later OR Artistic-1.0-Perl' }, { spdx: 'Zlib' }]);
});

test('copyright: a DEP-5 disjunction with an unknown part stays whole; a conjunction lists its parts', () => {
  assert.deepEqual(licensesFromCopyright(dep5('BSD-3-clause or GPL')), [{ name: 'BSD-3-clause or GPL' }], 'GPL without a version is not guessed');
  assert.deepEqual(licensesFromCopyright(dep5('BSL-1.0 and OldBoost2')), [{ spdx: 'BSL-1.0' }, { name: 'OldBoost2' }]);
  assert.deepEqual(licensesFromCopyright(dep5('REGCOMP, and GPL-1+ or Artistic')), [{ name: 'REGCOMP' }, { spdx: 'GPL-1.0-or-later OR Artistic-1.0-Perl' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-1+ or Artistic, and BSD-4-clause-POWERDOG')), [{ spdx: 'GPL-1.0-or-later OR Artistic-1.0-Perl' }, { name: 'BSD-4-clause-POWERDOG' }]);
  assert.deepEqual(licensesFromCopyright(dep5('OldBoost2 and BSL-1.0, or Expat')), [{ name: 'OldBoost2 and BSL-1.0, or Expat' }]);
});

test('copyright: stand-alone License paragraphs and common-licenses paths add no license already named', () => {
  // Abridged from Debian 12's /usr/share/doc/perl-base/copyright.
  const perl = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: perl
Source: http://www.perl.com/CPAN/src/5.0/

Files: *
Copyright:
 Perl is Copyright (C) 1987-2022 by Larry Wall and others. All rights reserved.
License: GPL-1+ or Artistic
Comment:
    This program is free software; you can redistribute it and/or modify
    it under the terms of either:
 .
    a) the GNU General Public License as published by the Free Software
       Foundation; either version 1, or (at your option) any later
       version, or
 .
    b) the "Artistic License" which comes with Perl.

Files: regcomp.c
Copyright: 1986 by University of Toronto.
License: REGCOMP, and GPL-1+ or Artistic

Files: cpan/Compress-Raw-Zlib/zlib-src/*
Copyright: 1995-2005 Jean-loup Gailly and Mark Adler
License: ZLIB

License: REGCOMP
 Permission is granted to anyone to use this software for any
 purpose on any computer system, and to redistribute it freely,
 subject to the following restrictions:

License: GPL-1+
 On Debian GNU/Linux systems, the complete text of the GNU General
 Public License can be found in \`/usr/share/common-licenses/GPL-1'.

License: Artistic
 On Debian GNU/Linux systems, the complete text of the
 Artistic Licence can be found in \`/usr/share/common-licenses/Artistic'.
`;
  // The GPL-1 path names the file of version 1, not the "or later" grant: kept, as the syft
  // conformance cases expect for such paths (sqlite's GPL-2+ paragraph cites GPL-2).
  assert.deepEqual(licensesFromCopyright(perl), [
    { spdx: 'GPL-1.0-or-later OR Artistic-1.0-Perl' }, { name: 'REGCOMP' }, { spdx: 'Zlib' }, { spdx: 'GPL-1.0-only' },
  ]);
  // A stand-alone paragraph for a license no Files paragraph names is still reported.
  assert.deepEqual(licensesFromCopyright(`${dep5('MIT')}\nLicense: ISC\n text\n`), [{ spdx: 'MIT' }, { spdx: 'ISC' }]);
});

test('copyright: "with <keyword> exception" becomes an SPDX exception, or stays whole when SPDX has none', () => {
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+ with Font exception')), [{ spdx: 'GPL-2.0-or-later WITH Font-exception-2.0' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-3+ with GCC-exception-3.1')), [{ spdx: 'GPL-3.0-or-later WITH GCC-exception-3.1' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-3+ with GCC-Runtime-3.1 exception')), [{ spdx: 'GPL-3.0-or-later WITH GCC-exception-3.1' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL with Classpath exception')), [{ name: 'GPL with Classpath exception' }], 'GPL without a version is not guessed');
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2 with Classpath exception')), [{ spdx: 'GPL-2.0-only WITH Classpath-exception-2.0' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2 with Linux-syscall-note exception or MIT')), [{ spdx: 'GPL-2.0-only WITH Linux-syscall-note OR MIT' }]);
  assert.deepEqual(licensesFromCopyright(dep5('Apache-2.0 with LLVM exception')), [{ spdx: 'Apache-2.0 WITH LLVM-exception' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+ with Libtool exception')), [{ spdx: 'GPL-2.0-or-later WITH Libtool-exception' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-3+ with Bison-2.2 exception')), [{ spdx: 'GPL-3.0-or-later WITH Bison-exception-2.2' }]);
  // No SPDX exception (OpenSSL), or several fit (Autoconf: 2.0, 3.0, generic): the phrase is kept.
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+ with OpenSSL exception')), [{ name: 'GPL-2+ with OpenSSL exception' }]);
  assert.deepEqual(licensesFromCopyright(dep5('GPL-2+ with Autoconf exception')), [{ name: 'GPL-2+ with Autoconf exception' }]);
  assert.deepEqual(licensesFromCopyright(dep5('OpenLDAP-2.8 and GPL-2+ with Libtool exception')), [
    { name: 'OpenLDAP-2.8' }, { spdx: 'GPL-2.0-or-later WITH Libtool-exception' },
  ]);
  assert.deepEqual(licensesFromCopyright(dep5('LGPL-2.1+ with OpenSSL exception or MIT')), [{ name: 'LGPL-2.1+ with OpenSSL exception or MIT' }]);
});

test('copyright: free-form GNU license grants', () => {
  const grant = (body: string): string => `This package was debianized by A <a@example.org>.\n\nCopyright: 2001 B\n\n${body}\n`;
  // Debian 12's libcrypt1 and avahi-daemon (free-form) wordings, and the GNU license notices.
  assert.deepEqual(licensesFromCopyright(grant(`The overall license for libxcrypt is the GNU Lesser General Public
License, version 2.1 (or, at your option, any later version); see
the file COPYING.LIB for the full terms of this license.`)), [{ spdx: 'LGPL-2.1-or-later' }]);
  assert.deepEqual(licensesFromCopyright(grant(`    This program is free software; you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation; either version 2 of the License, or
    (at your option) any later version.

    This program is distributed in the hope that it will be useful,
    but WITHOUT ANY WARRANTY; without even the implied warranty of
    MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
    GNU General Public License for more details.`)), [{ spdx: 'GPL-2.0-or-later' }]);
  assert.deepEqual(licensesFromCopyright(grant(` * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.`)), [{ spdx: 'GPL-3.0-or-later' }]);
  assert.deepEqual(licensesFromCopyright(grant(`This library is free software; you can redistribute it and/or
modify it under the terms of the GNU Library General Public
License as published by the Free Software Foundation; either
version 2 of the License, or (at your option) any later version.`)), [{ spdx: 'LGPL-2.0-or-later' }]);
  // "version N" with no "or later": that version only.
  assert.deepEqual(licensesFromCopyright(grant(`This program is free software; you can redistribute it and/or modify it
under the terms of the GNU General Public License version 2 as published
by the Free Software Foundation.`)), [{ spdx: 'GPL-2.0-only' }]);
  assert.deepEqual(licensesFromCopyright(grant(`avahi is licensed under the GNU Lesser General Public License version 2.1
as published by the Free Software Foundation.`)), [{ spdx: 'LGPL-2.1-only' }]);
  assert.deepEqual(licensesFromCopyright(grant('GnuTLS is licensed under the GNU Lesser General Public License (LGPL) version 2.1 or later.')), [{ spdx: 'LGPL-2.1-or-later' }]);
  assert.deepEqual(licensesFromCopyright(grant('The commandline utilities are licensed under the GNU General Public License version 3+.')), [{ spdx: 'GPL-3.0-or-later' }]);
  // The grant and the common-licenses path are both reported: the path names the version-2 file.
  assert.deepEqual(licensesFromCopyright(grant(`This program is free software; you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation; either version 2, or (at your option)
any later version.

On Debian systems, the complete text of the GNU General Public License
version 2 can be found in /usr/share/common-licenses/GPL-2.`)), [{ spdx: 'GPL-2.0-or-later' }, { spdx: 'GPL-2.0-only' }]);
});

const MIT_TEXT = `Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:`;

const BSD_HEAD = ` Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions
 are met:
 1. Redistributions of source code must retain the above copyright
    notice, this list of conditions and the following disclaimer.
 2. Redistributions in binary form must reproduce the above copyright
    notice, this list of conditions and the following disclaimer in the
    documentation and/or other materials provided with the distribution.`;
const BSD_TAIL = `
 THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS \`\`AS IS'' AND
 ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE`;

test('copyright: free-form Apache, MIT/Expat, BSD and public-domain texts', () => {
  const ff = (body: string): string => `This package was debianized by A <a@example.org>.\n\nCopyright (c) 2006 B\n\nLicense:\n\n${body}\n`;
  assert.deepEqual(licensesFromCopyright(ff(`Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.`)), [{ spdx: 'Apache-2.0' }]);
  // Debian 12's python3-yaml: the Expat text under a bare "License:" line.
  assert.deepEqual(licensesFromCopyright(ff(MIT_TEXT)), [{ spdx: 'MIT' }]);
  assert.deepEqual(licensesFromCopyright(ff('The library is released under the MIT license.')), [{ spdx: 'MIT' }]);
  assert.deepEqual(licensesFromCopyright(ff(`${BSD_HEAD}${BSD_TAIL}`)), [{ spdx: 'BSD-2-Clause' }]);
  assert.deepEqual(licensesFromCopyright(ff(`${BSD_HEAD}
 3. Neither the name of the University nor the names of its contributors
    may be used to endorse or promote products derived from this software
    without specific prior written permission.${BSD_TAIL}`)), [{ spdx: 'BSD-3-Clause' }]);
  // The advertising clause (4-clause) or another third clause: not guessed.
  assert.deepEqual(licensesFromCopyright(ff(`${BSD_HEAD}
 3. All advertising materials mentioning features or use of this software
    must display the following acknowledgement:
 4. Neither the name of the University nor the names of its contributors
    may be used to endorse or promote products derived from this software
    without specific prior written permission.${BSD_TAIL}`)), []);
  assert.deepEqual(licensesFromCopyright(ff(`${BSD_HEAD}
 3. The name of the author may not be used to endorse or promote products
    derived from this software without specific prior written permission.${BSD_TAIL}`)), []);
  assert.deepEqual(licensesFromCopyright(ff('The author hereby disclaims the copyright on this code and places it in the public domain.')), [{ name: 'public-domain' }]);
  assert.deepEqual(licensesFromCopyright(ff('This library (libselinux) is public domain software, i.e. not copyrighted.')), [{ name: 'public-domain' }]);
});

test('copyright: prose that states no license yields nothing', () => {
  const prose = `This package was debianized by Jane Doe <jane@example.org> on
Thu, 22 Feb 2001 23:09:08 -0300.

It was downloaded from http://www.example.org/

Upstream Author: John Smith <john@example.org>

Copyright: 1999-2004 John Smith

Permission to use, copy, modify, distribute, and sell this software and its
documentation for any purpose is hereby granted without fee, provided that
the above copyright notice appear in all copies.

You should have received a copy of the GNU General Public License along with
this program; see the GNU General Public License for more details. The full
text of the GNU General Public License version 2 is on the GNU web site.
This is not the MIT license, the Apache license or a BSD license; software in
the public domain is discussed at length elsewhere.
`;
  assert.deepEqual(licensesFromCopyright(prose), []);
  // A "License:" line of prose (Debian 12's python3.11 copyright) is not a license name.
  assert.deepEqual(licensesFromCopyright(`${prose}\nLicense: This software is provided 'as-is', without any express or implied\n warranty.\n`), []);
  assert.deepEqual(licensesFromCopyright(`${prose}\nLicense: ${MIT_TEXT}\n`), [{ spdx: 'MIT' }]);
  // Prose inside a DEP-5 file is not read: its License fields say what applies.
  assert.deepEqual(licensesFromCopyright(`${dep5('ISC')}\n ${MIT_TEXT}\n`), [{ spdx: 'ISC' }]);
});

test('version and source splitting', () => {
  assert.deepEqual(splitDebVersion('1:2.31.1-0.4ubuntu3.1'), { epoch: 1, upstream: '2.31.1', revision: '0.4ubuntu3.1' });
  assert.deepEqual(splitDebVersion('8-20180414-1ubuntu2'), { upstream: '8-20180414', revision: '1ubuntu2' });
  assert.deepEqual(splitDebVersion('3.116ubuntu1'), { upstream: '3.116ubuntu1' });
  assert.deepEqual(parseSourceField('xz-utils (5.1.1alpha+20120614-2)'), { name: 'xz-utils', version: '5.1.1alpha+20120614-2' });
  assert.deepEqual(parseSourceField('pam'), { name: 'pam' });
});

test('purls are canonical: they parse back to the same parts with packageurl-js', async () => {
  const { PackageURL } = await import('packageurl-js');
  const { debPurl } = await import('../../../src/catalog/dpkg/purl.js');
  const s = debPurl('attr', '1:2.4.47-2+b1', 'amd64', undefined, undefined);
  assert.equal(s, 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64', 'as the purl-spec deb test states it');
  const p = PackageURL.fromString(debPurl('libstdc++6', '1:8-1+b1', 'amd64', { id: 'debian', versionId: '12' }, { name: 'gcc-8', version: '8-1' }));
  assert.equal(p.name, 'libstdc++6');
  assert.equal(p.version, '1:8-1+b1');
  assert.deepEqual({ ...p.qualifiers }, { arch: 'amd64', distro: 'debian-12', upstream: 'gcc-8@8-1' });
});

test('multi-arch: two packages of one name get distinct local ids, links go to the first', async () => {
  const status = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9

Package: app
Status: install ok installed
Architecture: amd64
Version: 1
Depends: libc6 (>= 2.34)
`;
  const { pkgs } = await run({ '/var/lib/dpkg/status': status });
  assert.deepEqual(pkgs.map((p) => p.id), ['libc6', 'libc6#2', 'app']);
  assert.deepEqual(pkgs[2].dependsOn, ['libc6']);
  assert.deepEqual(pkgs[0].dependencyOf, ['app']);
  assert.notEqual(pkgs[0].purl, pkgs[1].purl, 'arch qualifier keeps the purls apart');
});

test('copyright: a file listing thousands of files (Boost\'s pass 2 MB) is still read', async () => {
  const files = Array.from({ length: 30_000 }, (_, i) => `Files: libs/part${i}/src/file${i}.cpp\nCopyright: 2003-2020 Some Author ${i}\nLicense: BSL-1.0\n`).join('\n');
  const text = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: Boost contributors\nLicense: BSL-1.0\n\n${files}\nFiles: tools/build/*\nCopyright: 2001 David Abrahams\nLicense: Jam\n\nLicense: Jam\n License is hereby granted to use this software.\n`;
  assert.ok(text.length > 2 * 1024 * 1024, `${text.length} bytes`);
  const { pkgs, warnings } = await run({
    '/var/lib/dpkg/status': 'Package: libboost-regex1.74.0\nStatus: install ok installed\nVersion: 1.74.0-18.1\nArchitecture: amd64\n',
    '/usr/share/doc/libboost-regex1.74.0/copyright': text,
  });
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs[0].licenses, [{ spdx: 'BSL-1.0' }, { spdx: 'Jam' }], 'the Jam license is named past the first 2 MB');
});
