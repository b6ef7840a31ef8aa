// License normalisation on the real license strings of the conformance catalogers' expected
// packages (test/fixtures/sbom/license-strings.json), plus the forms ecosystems commonly use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normaliseLicense, normaliseLicenses } from '../../src/sbom/license.js';
import type { License } from '../../src/sbom/model.js';

const spdx = (s: string): License[] => [{ spdx: s }];
const name = (s: string): License[] => [{ name: s }];

/** What each real string must become; decided by reading the SPDX list, not by running our code. */
const EXPECTED: Record<string, License[]> = {
  // Already SPDX.
  'GPL-3.0-or-later': spdx('GPL-3.0-or-later'),
  'GPL-2.0-only': spdx('GPL-2.0-only'),
  MIT: spdx('MIT'),
  'GPL-2.0-or-later': spdx('GPL-2.0-or-later'),
  Zlib: spdx('Zlib'),
  OpenSSL: spdx('OpenSSL'),
  'BSD-3-Clause': spdx('BSD-3-Clause'),
  'BSD-2-Clause': spdx('BSD-2-Clause'),
  ISC: spdx('ISC'),
  'Apache-2.0': spdx('Apache-2.0'),
  'MPL-2.0': spdx('MPL-2.0'),
  Ruby: spdx('Ruby'),
  'LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later': spdx('LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later'),
  'LGPL-3.0-or-later OR GPL-2.0-or-later': spdx('LGPL-3.0-or-later OR GPL-2.0-or-later'),
  'GPL-3.0-or-later WITH GCC-exception-3.1': spdx('GPL-3.0-or-later WITH GCC-exception-3.1'),
  'GPL-2.0-or-later AND LGPL-2.1-or-later': spdx('GPL-2.0-or-later AND LGPL-2.1-or-later'),
  'BSD-3-Clause AND GPL-2.0-only': spdx('BSD-3-Clause AND GPL-2.0-only'),
  // Debian copyright short names.
  'GPL-1': spdx('GPL-1.0-only'),
  'GPL-2': spdx('GPL-2.0-only'),
  'GPL-2+': spdx('GPL-2.0-or-later'),
  'LGPL-2.1': spdx('LGPL-2.1-only'),
  'public-domain': name('public-domain'),
  'Public-Domain': name('Public-Domain'),
  // RPM License tags: lowercase operators, deprecated ids, "+" forms, vendor ids.
  'BSD-3-Clause or GPL-2.0': spdx('BSD-3-Clause OR GPL-2.0-only'),
  'GPL-2.0+ and LGPL-2.1+': spdx('GPL-2.0-or-later AND LGPL-2.1-or-later'),
  'GPL-2.0+ AND LGPL-2.1+': spdx('GPL-2.0-or-later AND LGPL-2.1-or-later'),
  'Artistic-1.0 or GPL-2.0+': spdx('Artistic-1.0 OR GPL-2.0-or-later'),
  GPL: name('GPL'), // no version: not guessed
  'SUSE-Public-Domain': name('SUSE-Public-Domain'),
  'SUSE-GPL-2.0-with-OSI-exception': name('SUSE-GPL-2.0-with-OSI-exception'),
  'LGPL-2.1-or-later AND BSD-2-Clause AND BSD-3-Clause AND SUSE-Public-Domain': [
    { spdx: 'LGPL-2.1-or-later' }, { spdx: 'BSD-2-Clause' }, { spdx: 'BSD-3-Clause' }, { name: 'SUSE-Public-Domain' },
  ],
  // Ruby gems.
  BSDL: spdx('BSD-2-Clause'),
  PSFL: spdx('PSF-2.0'),
  // Maven pom names.
  'Apache License, Version 2.0': spdx('Apache-2.0'),
  'The Apache Software License, Version 2.0': spdx('Apache-2.0'),
  'Apache 2.0': spdx('Apache-2.0'),
  'MIT License': spdx('MIT'),
  'CDDL + GPLv2 with classpath exception': name('CDDL + GPLv2 with classpath exception'), // CDDL has no version
  // Python metadata and trove classifiers.
  'BSD License': name('BSD License'), // 2- or 3-clause is not said
  'Eclipse Public License v2.0': spdx('EPL-2.0'),
  'Python Software Foundation License': spdx('PSF-2.0'),
  'Python license': spdx('Python-2.0'),
  'GNU General Public License v2 or later (GPLv2+)': spdx('GPL-2.0-or-later'),
  'GNU Lesser General Public License v2 or later (LGPLv2+)': spdx('LGPL-2.0-or-later'),
  'Mozilla Public License 1.1 (MPL 1.1)': spdx('MPL-1.1'),
  'file://LICENSE.txt': name('file://LICENSE.txt'),
  UNKNOWN: [],
};

test('every license string in the conformance catalogers normalises as expected', () => {
  const fixture = JSON.parse(readFileSync('test/fixtures/sbom/license-strings.json', 'utf8')) as { strings: { text: string; from: string[] }[] };
  assert.equal(fixture.strings.length, 47);
  const missing = fixture.strings.map((s) => s.text).filter((t) => !(t in EXPECTED));
  assert.deepEqual(missing, [], 'every real string has a stated expectation');
  const wrong: string[] = [];
  for (const { text, from } of fixture.strings) {
    const got = normaliseLicense(text);
    try {
      assert.deepEqual(got, EXPECTED[text]);
    } catch {
      wrong.push(`${JSON.stringify(text)} (${from[0]}): got ${JSON.stringify(got)}, want ${JSON.stringify(EXPECTED[text])}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('common forms from the brief', () => {
  assert.deepEqual(normaliseLicense('GPLv2'), spdx('GPL-2.0-only'));
  assert.deepEqual(normaliseLicense('GPLv3+'), spdx('GPL-3.0-or-later'));
  assert.deepEqual(normaliseLicense('LGPL-2.1+'), spdx('LGPL-2.1-or-later'));
  assert.deepEqual(normaliseLicense('BSD-3-clause'), spdx('BSD-3-Clause'));
  assert.deepEqual(normaliseLicense('MIT OR Apache-2.0'), spdx('MIT OR Apache-2.0'));
  assert.deepEqual(normaliseLicense('mit or apache-2.0'), spdx('MIT OR Apache-2.0'));
  assert.deepEqual(normaliseLicense('(MIT OR Apache-2.0) AND BSD-3-Clause'), spdx('(MIT OR Apache-2.0) AND BSD-3-Clause'));
  assert.deepEqual(normaliseLicense('GPL-2.0 WITH Classpath-exception-2.0'), spdx('GPL-2.0-only WITH Classpath-exception-2.0'));
  assert.deepEqual(normaliseLicense('GPLv2 with classpath exception'), spdx('GPL-2.0-only WITH Classpath-exception-2.0'));
  assert.deepEqual(normaliseLicense('GNU Affero General Public License v3'), spdx('AGPL-3.0-only'));
  assert.deepEqual(normaliseLicense('Apache Software License 2.0'), spdx('Apache-2.0'));
});

test('guesses are refused: versionless or ambiguous names stay names', () => {
  for (const t of ['BSD', 'Artistic', 'Apache', 'MPL', 'CDDL', 'GPL', 'LGPL']) assert.deepEqual(normaliseLicense(t), name(t), t);
  // spdx-correct alone would read the whole text as Apache-2.0.
  assert.deepEqual(normaliseLicense('Apache-2.0 OR MIT or my own'), name('Apache-2.0 OR MIT or my own'));
});

test('exceptions: SPDX ids, keywords that become one with -exception[-version], aliases; ambiguous ones stay names', () => {
  assert.deepEqual(normaliseLicense('Apache-2.0 with LLVM exception'), [{ spdx: 'Apache-2.0 WITH LLVM-exception' }]);
  assert.deepEqual(normaliseLicense('GPL-2.0 WITH Classpath exception 2.0'), [{ spdx: 'GPL-2.0-only WITH Classpath-exception-2.0' }]);
  assert.deepEqual(normaliseLicense('GPL-2.0-or-later WITH Bison-2.2 exception'), [{ spdx: 'GPL-2.0-or-later WITH Bison-exception-2.2' }]);
  assert.deepEqual(normaliseLicense('GPL-3.0+ with GCC Runtime Library exception'), [{ spdx: 'GPL-3.0-or-later WITH GCC-exception-3.1' }]);
  assert.deepEqual(normaliseLicense('GPL-2.0 with Autoconf exception'), [{ name: 'GPL-2.0 with Autoconf exception' }]);
});

test('the BSD licenses by the names SPDX gives them in full', () => {
  for (const t of ['New BSD License', 'Revised BSD License', 'Modified BSD License']) assert.deepEqual(normaliseLicense(t), [{ spdx: 'BSD-3-Clause' }], t);
  for (const t of ['Simplified BSD License', 'FreeBSD License']) assert.deepEqual(normaliseLicense(t), [{ spdx: 'BSD-2-Clause' }], t);
});

test('guesses by likeness are refused: every word of the name must be in the answer', () => {
  // spdx-correct alone gives Unlicense, MIT and BSD-3-Clause for these Debian short names.
  for (const t of ['FSF-unlimited', 'MIT-US-export', 'BSD-3-clause-GENERIC']) assert.deepEqual(normaliseLicense(t), name(t), t);
  // What it corrects without inventing keeps working.
  assert.deepEqual(normaliseLicense('Apache License 2.0'), [{ spdx: 'Apache-2.0' }]);
  assert.deepEqual(normaliseLicense('GNU General Public License v2.0 or later'), [{ spdx: 'GPL-2.0-or-later' }]);
});

test('a conjunction with unknown parts lists the parts; a disjunction with unknown parts stays whole', () => {
  assert.deepEqual(normaliseLicense('GPLv3+ and Custom'), [{ spdx: 'GPL-3.0-or-later' }, { name: 'Custom' }]);
  assert.deepEqual(normaliseLicense('GPLv3+ or Custom'), name('GPLv3+ or Custom'));
});

test('empty, placeholder, huge and non-string input', () => {
  assert.deepEqual(normaliseLicense(''), []);
  assert.deepEqual(normaliseLicense('  NOASSERTION '), []);
  assert.deepEqual(normaliseLicense(undefined), []);
  assert.deepEqual(normaliseLicense(42 as unknown as string), []);
  const long = 'Permission is hereby granted, free of charge, '.repeat(200);
  const got = normaliseLicense(long);
  assert.equal(got.length, 1);
  assert.equal(got[0].spdx, undefined);
  assert.ok(got[0].name!.length <= 4096);
});

test('normaliseLicenses flattens and de-duplicates', () => {
  assert.deepEqual(normaliseLicenses(['MIT', 'MIT License', 'Apache 2.0', undefined, 'UNKNOWN', 'Foo']), [{ spdx: 'MIT' }, { spdx: 'Apache-2.0' }, { name: 'Foo' }]);
});
