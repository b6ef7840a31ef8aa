/**
 * deploy/ stays valid: the compose file and the Kubernetes manifest parse, their objects are
 * well formed (selectors match their pods, probes name ports that exist, every secret key is
 * one the header says to create), and every `scout` command line in them is a real command
 * with options this CLI accepts, so a renamed flag breaks this test, not a deployment.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

const DEPLOY = new URL('../../deploy/', import.meta.url);

/** Checks `args` (what follows `scout`) against the command tree: the subcommand exists, and so does every --option. */
function checkArgs(program: Command, args: readonly string[], where: string): void {
  let cmd = program;
  let i = 0;
  while (i < args.length && !args[i].startsWith('-')) {
    const sub = cmd.commands.find((c) => c.name() === args[i] || c.aliases().includes(args[i]));
    if (!sub) break;
    cmd = sub;
    i++;
  }
  assert.notEqual(cmd, program, `${where}: "${args[0]}" is not a scout command`);
  const known = new Set<string>();
  for (let c: Command | null = cmd; c; c = c.parent) for (const o of c.options) for (const f of [o.long, o.short]) if (f) known.add(f);
  for (const a of args.slice(i)) if (a.startsWith('--')) assert.ok(known.has(a.split('=')[0]), `${where}: scout ${cmd.name()} has no option ${a}`);
}

test('deploy/docker-compose.yml: server, two workers, PostgreSQL and an optional watch; every scout command line is valid', async () => {
  const program = await buildProgram();
  const compose = parse(readFileSync(new URL('docker-compose.yml', DEPLOY), 'utf8')) as { services: Record<string, { image?: string; command?: string[]; build?: { context: string; dockerfile: string }; environment?: Record<string, string>; depends_on?: Record<string, unknown>; deploy?: { replicas?: number }; healthcheck?: { test: string[] }; profiles?: string[] }> };
  assert.deepEqual(Object.keys(compose.services).sort(), ['postgres', 'server', 'watch', 'worker']);
  const { server, worker } = compose.services;
  assert.ok(existsSync(new URL(`../${server.build!.dockerfile}`, DEPLOY)), 'the Dockerfile the build names exists');
  for (const [name, s] of [['server', server], ['worker', worker]] as const) {
    checkArgs(program, s.command!, `compose ${name}`);
    assert.match(s.environment!.SCOUT_DATABASE_URL, /^postgres:\/\/[^@]+@postgres:5432\//, `${name} reaches the postgres service`);
    assert.ok(s.depends_on, `${name} waits for what it needs`);
    assert.match(s.healthcheck!.test.join(' '), /\/readyz/);
  }
  assert.ok(server.command!.includes('--no-jobs'), 'the server leaves jobs to the workers');
  assert.equal(worker.deploy?.replicas, 2);
  // The watch: a registry watched every 300 s, storing on the server service with a token from outside the file.
  const { watch } = compose.services;
  checkArgs(program, watch.command!, 'compose watch');
  assert.deepEqual([watch.command![0], watch.command!.includes('--registry'), watch.command![watch.command!.indexOf('--interval') + 1]], ['watch', true, '300']);
  assert.equal(watch.environment!.SCOUT_SERVER, 'http://server:8080');
  assert.match(watch.environment!.SCOUT_TOKEN, /^\$\{SCOUT_WATCH_TOKEN/);
  assert.deepEqual(watch.profiles, ['watch'], 'compose up without a token does not start it');
  assert.ok(watch.depends_on?.server);
  // The Dockerfile's default command is valid too.
  const dockerfile = readFileSync(new URL('Dockerfile', DEPLOY), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  assert.ok(cmd);
  checkArgs(program, JSON.parse(cmd) as string[], 'Dockerfile CMD');
});

test('deploy/kubernetes/scout.yaml: well-formed objects, matching selectors, probes on named ports, valid scout arguments', async () => {
  const program = await buildProgram();
  const text = readFileSync(new URL('kubernetes/scout.yaml', DEPLOY), 'utf8');
  const docs = parseAllDocuments(text);
  for (const d of docs) assert.deepEqual(d.errors, []);
  type Container = { name: string; args: string[]; ports?: { name: string; containerPort: number }[]; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; readinessProbe?: { httpGet: { path: string; port: string } }; livenessProbe?: { httpGet: { path: string; port: string } } };
  type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: { selector?: { matchLabels?: Record<string, string> } & Record<string, string>; template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } } };
  const objs = docs.map((d) => d.toJS() as Obj);
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/scout', 'Deployment/scout-server', 'Deployment/scout-worker', 'Deployment/scout-watch', 'Service/scout']);
  const secretKeys = new Set([...text.matchAll(/--from-literal=([a-z-]+)=/g)].map((m) => m[1]));
  for (const o of objs) {
    assert.ok(o.apiVersion && o.kind && o.metadata.name, JSON.stringify(o));
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'scout');
    if (o.kind !== 'Deployment') continue;
    const tmpl = o.spec!.template!;
    for (const [k, v] of Object.entries(o.spec!.selector!.matchLabels!)) assert.equal(tmpl.metadata.labels[k], v, `${o.metadata.name}: selector ${k}`);
    for (const c of tmpl.spec.containers) {
      checkArgs(program, c.args, `${o.metadata.name}/${c.name}`);
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) assert.ok(secretKeys.has(e.valueFrom.secretKeyRef.key), `secret key ${e.valueFrom.secretKeyRef.key} is one the header creates`);
      if (c.args[0] === 'watch') {
        // The watcher serves nothing: a registry every 300 s, the Service's URL, its token from the Secret.
        assert.deepEqual([c.ports, c.readinessProbe, c.livenessProbe, c.args.includes('--registry'), c.args[c.args.indexOf('--interval') + 1]], [undefined, undefined, undefined, true, '300']);
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
        assert.equal(env.SCOUT_SERVER?.value, `http://${objs.find((x) => x.kind === 'Service')!.metadata.name}`);
        assert.equal(env.SCOUT_TOKEN?.valueFrom?.secretKeyRef?.key, 'watch-token');
        continue;
      }
      const ports = new Set(c.ports!.map((p) => p.name));
      for (const probe of [c.readinessProbe!, c.livenessProbe!]) assert.ok(ports.has(probe.httpGet.port), `${o.metadata.name}: probe port ${probe.httpGet.port}`);
      assert.equal(c.readinessProbe!.httpGet.path, '/readyz');
      assert.equal(c.livenessProbe!.httpGet.path, '/healthz');
      const metricsPort = c.args[c.args.indexOf('--metrics-port') + 1];
      assert.equal(c.ports!.find((p) => p.name === 'metrics')?.containerPort, Number(metricsPort));
    }
  }
  const service = objs.find((o) => o.kind === 'Service')!;
  const serverLabels = objs.find((o) => o.metadata.name === 'scout-server')!.spec!.template!.metadata.labels;
  for (const [k, v] of Object.entries(service.spec!.selector as unknown as Record<string, string>)) assert.equal(serverLabels[k], v);
});

test('the deploy check itself catches a flag scout does not have', async () => {
  const program = await buildProgram();
  assert.throws(() => checkArgs(program, ['worker', '--threads', '4'], 'x'), /scout worker has no option --threads/);
  assert.throws(() => checkArgs(program, ['serve'], 'x'), /"serve" is not a scout command/);
  assert.throws(() => checkArgs(program, ['watch', '--registry', 'r', '--every', '300'], 'x'), /scout watch has no option --every/);
});
