// `npm run mutate -- TARGET [TARGET…] [STRYKER OPTIONS]`: Stryker over each target of
// scripts/mutation-targets.mjs in turn (all of them without a target). Options from the first
// one starting with '--' go to Stryker as they are: `npm run mutate -- versions --mutate
// src/versions/rpm.ts` tests only that file's mutants, and the incremental file keeps the
// results of the target's other files from earlier runs. Not part of CI: it is slow.
import { spawnSync } from 'node:child_process';
import { TARGETS } from './mutation-targets.mjs';

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const names = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
for (const n of names) if (!TARGETS[n]) throw new Error(`unknown mutation target ${n}: one of ${Object.keys(TARGETS).join(', ')}`);
let failed = 0;
for (const name of names.length ? names : Object.keys(TARGETS)) {
  const r = spawnSync(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...options], { stdio: 'inherit', env: { ...process.env, SCOUT_MUTATE_TARGET: name } });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
