// The image commands' own output to a full disk (`> /dev/full`): one line on stderr naming the
// failed write and exit 1, never a stack trace, and never 0 or 3 as if the report were written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { test } from 'node:test';
import { scoutNodeArgs } from '../helpers/cli.js';
import { DEMO, importedCache } from '../report/helpers.js';

const cache = importedCache();

for (const args of [['sbom', DEMO, '--format', 'cyclonedx'], ['cves', DEMO], ['cves', DEMO, '--format', 'json'], ['quickview', DEMO], ['image', 'inspect', DEMO]]) {
  test(`scout ${args.join(' ').replace(DEMO, 'demo-image.tar')} > /dev/full is one line on stderr and exit 1`, () => {
    const r = spawnSync(process.execPath, scoutNodeArgs(...args), { env: { ...process.env, SCOUT_CACHE_DIR: cache }, stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'], encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'error: cannot write to standard output: ENOSPC (no space left on device)\n');
  });
}
