// Loaded with `node --import` (after tsx, when tsx runs the sources): records the URL of every module the process loads
// (one line each, to the file named by SCOUT_TRACE_MODULES), so a test can tell what a
// command made Node read. Registered last, so its resolve runs first and sees tsx's answer.
import { register } from 'node:module';

register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file: process.env.SCOUT_TRACE_MODULES } });
