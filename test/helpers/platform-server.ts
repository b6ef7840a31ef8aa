/**
 * A real `scout server` for CLI tests: started in this process on port 0 over a fresh data
 * directory (SQLite) whose advisory tables hold the examples/ bundle, and the real CLI run in
 * child processes without blocking this process's event loop (the server must keep answering).
 */
import { spawn } from 'node:child_process';
import { resolveServerLocation, type ServerLocation } from '../../src/server/location.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/main.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { importExampleAdvisories } from './platform-app.js';
import { newLocation, type Backend } from './platform-db.js';
import { openServerAdvisories } from '../../src/server/advisories.js';
import { scoutNodeArgs } from './cli.js';
import { tempDir } from './tmp.js';


export interface TestServer extends RunningServer {
  dataDir: string;
  /** Where its database is (a worker of the test opens the same). */
  location: ServerLocation;
  printed: string[];
  log: string[];
}

export async function fillAdvisories(path: string): Promise<void> {
  const store = new SqliteAdvisoryStore(path);
  try {
    await importExampleAdvisories(store);
  } finally {
    await store.close();
  }
}

/**
 * On `postgres` the server's database is a fresh schema of the test database (dropped when `t`
 * ends) whose advisory tables hold the examples/ bundle, as on SQLite.
 */
export async function startTestServer(t: { after: (fn: () => Promise<void>) => void }, dataDir = tempDir(), backend: Backend = 'sqlite', serve: Pick<ServeOptions, 'analyzeRegistries' | 'runJobs' | 'advisoryMirror' | 'advisorySync'> = {}): Promise<TestServer> {
  let location = resolveServerLocation({ dataDir }, {});
  let drop = async () => {};
  if (backend === 'postgres') {
    const fresh = await newLocation('postgres');
    drop = fresh.drop;
    const database = fresh.location;
    location = { dataDir, database };
    const advisories = await openServerAdvisories(database);
    try {
      await importExampleAdvisories(advisories);
    } finally {
      await advisories.close();
    }
  }
  if (location.database.kind === 'sqlite') await fillAdvisories(location.database.path);
  const printed: string[] = [];
  const log: string[] = [];
  const stream = { write: (line: string) => void log.push(line) };
  const running = await startServer({ ...serve, location, host: '127.0.0.1', port: 0, print: (l) => printed.push(l), logger: { level: 'info', stream } });
  // The schema goes once the server (and its job workers) stopped using it.
  t.after(async () => {
    await running.close();
    await drop();
  });
  return Object.assign(running, { dataDir, location, printed, log });
}

/** Runs the CLI (from source) in a child process, asynchronously. */
export function scoutAsync(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, scoutNodeArgs(...args), { env: { ...process.env, CI: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
