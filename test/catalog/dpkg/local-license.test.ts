import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licensesFromField, licenseTerms, normaliseLicenseName } from '../../../src/catalog/dpkg/local-license.js';

test('distribution short names map to SPDX ids', () => {
  const cases: [string, string][] = [
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPLv3+', 'GPL-3.0-or-later'],
    ['LGPL-2.1', 'LGPL-2.1-only'],
    ['lgpl2.1+', 'LGPL-2.1-or-later'],
    ['AGPL-3', 'AGPL-3.0-only'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['mit', 'MIT'],
    ['Expat', 'MIT'],
    ['openssl', 'OpenSSL'],
    ['ASL 2.0', 'Apache-2.0'],
    ['BSD-3-clause', 'BSD-3-Clause'],
  ];
  for (const [raw, spdx] of cases) assert.deepEqual(normaliseLicenseName(raw), { spdx }, raw);
});

test('unknown or ambiguous names are kept by name, never guessed', () => {
  for (const raw of ['public-domain', 'Public-Domain', 'custom', 'GPL-7', 'Artistic-or-whatever']) {
    assert.deepEqual(normaliseLicenseName(raw), { name: raw });
  }
});

test('Fedora-style and/or conjunctions become SPDX expressions only when every term maps', () => {
  assert.deepEqual(licensesFromField('GPLv2+ and LGPLv2+'), [{ spdx: 'GPL-2.0-or-later AND LGPL-2.0-or-later' }]);
  assert.deepEqual(licensesFromField('(GPLv2+ or MIT) and BSD'), [{ spdx: '(GPL-2.0-or-later OR MIT) AND BSD-3-Clause' }]);
  assert.deepEqual(licensesFromField('Foo and MIT'), [{ name: 'Foo and MIT' }]);
  assert.deepEqual(licenseTerms(licensesFromField('LGPL-2.1-or-later WITH GCC-exception-2.0 OR MIT')), ['LGPL-2.1-or-later', 'GCC-exception-2.0', 'MIT']);
});
