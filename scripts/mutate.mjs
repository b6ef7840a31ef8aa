// `npm run mutate -- TARGET [TARGET…]`: Stryker over each target of scripts/mutation-targets.mjs
// in turn (all of them without arguments, smallest first). Not part of CI: it is slow.
import { spawnSync } from 'node:child_process';
import { TARGETS } from './mutation-targets.mjs';

const names = process.argv.slice(2);
for (const n of names) if (!TARGETS[n]) throw new Error(`unknown mutation target ${n}: one of ${Object.keys(TARGETS).join(', ')}`);
let failed = 0;
for (const name of names.length ? names : Object.keys(TARGETS)) {
  const r = spawnSync(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs'], { stdio: 'inherit', env: { ...process.env, SCOUT_MUTATE_TARGET: name } });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
