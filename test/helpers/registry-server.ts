/**
 * A real registry for end-to-end tests: Debian's `docker-registry` (CNCF distribution) on
 * 127.0.0.1 with a random port, temp storage and optional htpasswd Basic auth; images are
 * pushed to it with skopeo from OCI layouts built by image-builder. CI installs both tools
 * (.ci/run); when either is missing the tests fail saying so, rather than pass untested.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

// A test file that dies early, or is killed (a runner timeout, Ctrl-C), must not leave
// registries running behind it.
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const c of running) c.kill('SIGKILL');
};
process.on('exit', killAll);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

export interface RegistryServer {
  /** host:port, as image references name it. */
  host: string;
  port: number;
  url: string;
  user?: string;
  password?: string;
  /** Where the registry keeps its blobs (the filesystem driver's root): tests that damage a stored blob write here. */
  storageDir: string;
  /** Push image(s) from an OCI layout; `all` copies a whole multi-platform index. */
  push(layoutDir: string, layoutRef: string, repoTag: string, opts?: { all?: boolean }): void;
  /** Push from any skopeo source, e.g. `docker-archive:/x.tar` (skopeo writes Docker v2 manifests for it). */
  copy(source: string, repoTag: string, opts?: { all?: boolean }): void;
  /** skopeo delete of REPO:TAG (needs `delete: true`): the manifest goes, with every tag of that repository pointing at it. */
  remove(repoTag: string): void;
  stop(): Promise<void>;
}

function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Throws a clear message naming the Debian package to install when a tool is missing. */
export function requireTools(): void {
  const missing: string[] = [];
  if (!which(REGISTRY_BIN) && !which('docker-registry')) missing.push('docker-registry (apt-get install docker-registry)');
  if (!which('skopeo')) missing.push('skopeo (apt-get install skopeo)');
  if (!which('htpasswd')) missing.push('htpasswd (apt-get install apache2-utils)');
  if (missing.length) throw new Error(`registry end-to-end tests need: ${missing.join(', ')}; .ci/run installs them`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForApi(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 15s: ${log()}`);
}

/** `delete`: the registry accepts DELETE of manifests (a tag removed with skopeo delete). */
export async function startRegistry(opts: { auth?: { user: string; password: string }; delete?: boolean } = {}): Promise<RegistryServer> {
  requireTools();
  const bin = which(REGISTRY_BIN) ?? 'docker-registry';
  const dir = tempDir('scout-registry-');
  let lastError: unknown;
  // The port is free when we pick it but could be taken before the registry binds it: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const lines = ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, ...(opts.delete ? ['  delete:', '    enabled: true'] : []), 'http:', `  addr: 127.0.0.1:${port}`, '  secret: scout-test-secret'];
    if (opts.auth) {
      const h = spawnSync('htpasswd', ['-Bbn', opts.auth.user, opts.auth.password], { encoding: 'utf8' });
      if (h.status !== 0) throw new Error(`htpasswd failed: ${h.stderr}`);
      writeFileSync(join(dir, 'htpasswd'), h.stdout);
      lines.push('auth:', '  htpasswd:', '    realm: scout-test', `    path: ${join(dir, 'htpasswd')}`);
    }
    const configPath = join(dir, `config-${port}.yml`);
    writeFileSync(configPath, lines.join('\n') + '\n');
    const child = spawn(bin, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 8192) stderr += c.toString('utf8');
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForApi(url, child, () => stderr);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      continue;
    }
    const host = `127.0.0.1:${port}`;
    const skopeo = (args: string[]) => {
      // skopeo must not pick up the user's own registry config or credentials.
      const env = { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'skopeo-auth.json'), DOCKER_CONFIG: join(dir, 'skopeo-docker') };
      const r = spawnSync('skopeo', args, { encoding: 'utf8', env, timeout: 60_000 });
      if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    };
    const server: RegistryServer = {
      host,
      port,
      url,
      user: opts.auth?.user,
      password: opts.auth?.password,
      storageDir: join(dir, 'data'),
      push(layoutDir, layoutRef, repoTag, o = {}) {
        server.copy(`oci:${layoutDir}:${layoutRef}`, repoTag, o);
      },
      copy(source, repoTag, o = {}) {
        const args = ['copy', '--insecure-policy', '--quiet', '--dest-tls-verify=false'];
        if (opts.auth) args.push('--dest-creds', `${opts.auth.user}:${opts.auth.password}`);
        if (o.all) args.push('--all');
        args.push(source, `docker://${host}/${repoTag}`);
        skopeo(args);
      },
      remove(repoTag) {
        skopeo(['delete', '--tls-verify=false', ...(opts.auth ? ['--creds', `${opts.auth.user}:${opts.auth.password}`] : []), `docker://${host}/${repoTag}`]);
      },
      stop() {
        return new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        });
      },
    };
    return server;
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
