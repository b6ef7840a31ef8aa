/**
 * An engine behind ssh://, reached the way the Docker CLI reaches it: `ssh` runs
 * `docker system dial-stdio` on the remote machine, which joins its stdin and stdout to the
 * engine's socket there, and the Engine API's HTTP is spoken over that pipe. The user's own ssh
 * (its config, keys, agent and known hosts) makes the connection; Scout handles no secrets.
 * One ssh process per HTTP connection, ended when the connection ends; sshAgent keeps that
 * connection open between requests, so a scan starts one ssh, not one per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import type { SshTarget } from './endpoint.js';

/** What ssh printed on stderr that an error message repeats (its last words are the reason). */
const MAX_STDERR = 4096;

/**
 * The arguments the Docker CLI passes (cli/connhelper and its ssh spec): a connect timeout, no
 * terminal, -l/-p for user and port, then the host after `--` so that no part of the address
 * can be read as an option, and the remote command.
 */
export function sshArgs(t: SshTarget): string[] {
  const remote = ['docker', ...(t.path ? ['--host', `unix://${t.path}`] : []), 'system', 'dial-stdio'];
  return ['-o', 'ConnectTimeout=30', '-T', ...(t.user ? ['-l', t.user] : []), ...(t.port ? ['-p', t.port] : []), '--', t.host, ...remote];
}

/**
 * A socket-like stream over one ssh process's stdio, for node:http's `createConnection`. It
 * has the few socket methods the HTTP client calls (an idle timeout that says 'timeout', and
 * no-ops for the rest). When ssh ends without having sent anything, the error carries the end
 * of what ssh wrote on stderr ("Permission denied (publickey)", "docker: command not found").
 */
class SshStdioSocket extends Duplex {
  private timer: NodeJS.Timeout | undefined;
  private idleMs = 0;
  private received = 0;
  private stderr = '';

  constructor(private readonly child: ChildProcess, private readonly describe: string) {
    super({ allowHalfOpen: false });
    const out = child.stdout!;
    out.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.touch();
      if (!this.push(chunk)) out.pause();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    child.stdin!.on('error', () => {
      // ssh went away; 'exit' below says why.
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.destroy(new ScoutError('engine-unreachable', `no answer from ${this.describe}: ${err.code === 'ENOENT' ? 'there is no ssh command on PATH' : err.message}`));
    });
    // 'close', not 'exit': by then everything ssh wrote has been read.
    // The end of the stream is ssh's end, not its stdout's: an ssh that failed says so with
    // its status, which the HTTP client would otherwise see only as a connection reset.
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code !== 0 && this.received === 0) {
        const said = this.stderr.trim().split('\n').filter(Boolean).slice(-2).join('; ');
        this.destroy(new ScoutError('engine-unreachable', `no answer from ${this.describe}: ssh ${signal ? `was ended by ${signal}` : `exited with status ${code}`}${said ? `: ${said}` : ''}`));
      } else {
        this.push(null);
      }
    });
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.touch();
    // A write to an ssh that has gone fails with EPIPE; its exit (above) is the better reason.
    this.child.stdin!.write(chunk, () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin!.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    done(err);
  }

  private touch(): void {
    if (!this.idleMs) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emit('timeout'), this.idleMs);
    this.timer.unref();
  }

  // The socket methods node:http calls.
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms;
    if (onTimeout) this.once('timeout', onTimeout);
    if (ms) this.touch();
    else clearTimeout(this.timer);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  // node:http's keep-alive agent unrefs a connection while it waits in the pool, and refs it
  // again when a request takes it: an idle ssh must not keep the program from ending.
  ref(): this {
    this.child.ref();
    for (const pipe of this.pipes()) pipe.ref();
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const pipe of this.pipes()) pipe.unref();
    return this;
  }

  private pipes(): Socket[] {
    return [this.child.stdin, this.child.stdout, this.child.stderr].filter((p): p is Socket => typeof (p as Socket | null)?.unref === 'function') as Socket[];
  }
}

/** A new connection to the engine behind `target`: one `ssh … docker system dial-stdio`. */
export function sshConnection(target: SshTarget, describe: string): Duplex {
  const child = spawn('ssh', sshArgs(target), { stdio: ['pipe', 'pipe', 'pipe'] });
  return new SshStdioSocket(child, describe);
}

/**
 * How long an ssh connection waits in the pool for the next request before it is closed. The
 * requests of one image (ping, inspect, export) follow each other closely; an export asked for
 * later (a remembered image whose layer is not in the cache) may start a new ssh.
 */
const SSH_IDLE_MS = 15_000;

/** One keep-alive agent per ssh address, for the whole run: ssh's start-up is paid once. */
const agents = new Map<string, Agent>();

/**
 * The HTTP agent that reaches the engine behind `target`: HTTP keep-alive over an ssh
 * connection, so consecutive requests (for every image of the run) share one ssh process
 * (starting ssh costs a handshake, and with a password-protected key, a prompt). Requests that
 * overlap open another connection rather than wait for one that may be held by a slow reader.
 */
export function sshAgent(target: SshTarget, url: string, describe: string): Agent {
  let agent = agents.get(url);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxFreeSockets: 1, timeout: SSH_IDLE_MS });
    agent.createConnection = () => sshConnection(target, describe) as unknown as Socket;
    agents.set(url, agent);
  }
  return agent;
}
