/**
 * A `scout worker` (startWorker) for the analyze-image kill test, with a 1 s lease so another
 * worker takes its job over soon after it is killed.
 * Usage: node --import tsx test/server/analyze-worker-process.ts LOCATION_JSON REGISTRY
 */
import { startWorker } from '../../src/server/worker.js';

const [location, registry] = process.argv.slice(2);
await startWorker({ location: JSON.parse(location) as never, analyzeRegistries: [registry], queue: { leaseMs: 1000, pollMs: 100 }, log: (l) => process.stdout.write(l + '\n') });
process.stdout.write('READY\n');
