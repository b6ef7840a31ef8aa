/**
 * The continuous platform from the CLI, against a real `scout server`: `scout environment`
 * records and lists where images run (as Docker Scout's CLI does), `scout webhook` adds, lists,
 * tests and removes webhooks, and a test delivery reaches a real receiver signed with the
 * secret `add` printed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyWebhookSignature } from '../../src/notify/webhook.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { DEMO_IMAGE } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

async function loggedIn(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  return { server, token, env };
}

test('scout environment ENV IMAGE records, scout environment [ENV] lists, a new image of the repository replaces the old one', async (t) => {
  const { env } = await loggedIn(t);
  const push = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--tag', '1.0', '--format', 'json'], env);
  assert.equal(push.code, 0, push.stderr);
  const digest = (JSON.parse(push.stdout) as { image: { digest: string } }).image.digest;

  const none = await scoutAsync(['environment'], env);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /no environments/);

  const rec = await scoutAsync(['environment', 'production', 'demo/api:1.0'], env);
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, new RegExp(`demo/api in production: demo/api:1\\.0 \\(${digest}\\)`));
  const byDigest = await scoutAsync(['env', 'staging', digest, '--format', 'json'], env);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.equal((JSON.parse(byDigest.stdout) as { imageDigest: string; environment: string }).environment, 'staging');

  const list = await scoutAsync(['environment', '--format', 'json'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as { name: string; images: number }[]).map((e) => [e.name, e.images]), [['production', 1], ['staging', 1]]);
  const prod = await scoutAsync(['environment', 'production'], env);
  assert.equal(prod.code, 0, prod.stderr);
  assert.match(prod.stdout, /IMAGE/);
  assert.match(prod.stdout, new RegExp(`Image\\s+demo/api\\s+demo/api:1\\.0\\s+${digest}`));

  // Recording the same repository again replaces it: still one image in production.
  const again = await scoutAsync(['environment', 'production', `demo/api@${digest}`], env);
  assert.equal(again.code, 0, again.stderr);
  const prodJson = JSON.parse((await scoutAsync(['environment', 'production', '--format', 'json'], env)).stdout) as { imageRef: string }[];
  assert.deepEqual(prodJson.map((w) => w.imageRef), [`demo/api@${digest}`]);

  // scout vuln names the workloads running an affected image: production and staging run it.
  const detail = JSON.parse((await scoutAsync(['image', 'get', 'demo/api:1.0', '--server', '--format', 'json'], env)).stdout) as { findings: { vulnerabilityId: string; packageName: string }[] };
  const lodash = detail.findings.find((f) => f.packageName === 'lodash')!.vulnerabilityId;
  const vuln = await scoutAsync(['vuln', lodash], env);
  assert.equal(vuln.code, 0, vuln.stderr);
  assert.match(vuln.stdout, /\n\nRunning in 2 workloads:\nENVIRONMENT\s+CLUSTER\s+NAMESPACE\s+TYPE\s+NAME\s+IMAGE\n/);
  assert.match(vuln.stdout, new RegExp(`\\nproduction\\s+-\\s+-\\s+Image\\s+demo/api\\s+demo/api@${digest}\\n`));
  assert.match(vuln.stdout, /\nstaging\s+-\s+-\s+Image\s+demo\/api\s/);
  const vulnJson = JSON.parse((await scoutAsync(['vuln', lodash, '--format', 'json'], env)).stdout) as { digest: string; workloads: { environment: string; name: string }[] }[];
  assert.ok(vulnJson.length > 0);
  for (const u of vulnJson) assert.deepEqual(u.workloads.map((w) => [w.environment, w.name]), [['production', 'demo/api'], ['staging', 'demo/api']]);

  const unknown = await scoutAsync(['environment', 'production', 'demo/none:9'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no stored image demo\/none:9/);
  const empty = await scoutAsync(['environment', 'qa'], env);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /nothing runs in environment qa/);
  const badName = await scoutAsync(['environment', 'prod/eu', 'demo/api:1.0'], env);
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /environment name "prod\/eu"/);
});

test('scout webhook add|list|test|deliveries|remove against a real receiver; the test delivery verifies with the printed secret', async (t) => {
  const { env } = await loggedIn(t);
  const receiver = await startReceiver();
  t.after(() => receiver.close());

  const add = await scoutAsync(['webhook', 'add', receiver.url, '--kind', 'vulnerability.new', 'image.pushed'], env);
  assert.equal(add.code, 0, add.stderr);
  const id = /added webhook (\S+)/.exec(add.stdout)?.[1];
  assert.ok(id, add.stdout);
  const secret = /^\s+(whsec_\S+)$/m.exec(add.stdout)?.[1];
  assert.ok(secret, 'the secret is printed once');
  // A port nothing listens on: a receiver started and closed again.
  const gone = await startReceiver();
  await gone.close();
  const slack = await scoutAsync(['webhook', 'add', gone.url, '--slack', '--format', 'json'], env);
  assert.equal(slack.code, 0, slack.stderr);
  const slackHook = JSON.parse(slack.stdout) as { webhook: { id: string; format: string }; secret?: string };
  assert.equal(slackHook.webhook.format, 'slack');
  assert.equal(slackHook.secret, undefined);

  const list = await scoutAsync(['webhook', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(secret), 'never listed');
  assert.match(list.stdout, new RegExp(`${id}\\s+json\\s+yes\\s+vulnerability\\.new,image\\.pushed`));
  assert.match(list.stdout, new RegExp(`${slackHook.webhook.id}\\s+slack\\s+no\\s+all`));

  const tested = await scoutAsync(['webhook', 'test', id], env);
  assert.equal(tested.code, 0, tested.stderr);
  assert.match(tested.stdout, /^delivered: HTTP 200 in \d+ ms/);
  const [got] = await receiver.waitFor(1);
  assert.equal(got.headers['scout-event-kind'], 'image.pushed');
  assert.ok(verifyWebhookSignature({ secret, body: got.body, timestamp: String(got.headers['scout-timestamp']), signature: String(got.headers['scout-signature']) }));

  receiver.failNext(500);
  const failed = await scoutAsync(['webhook', 'test', id], env);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^failed: HTTP 500/);
  const down = await scoutAsync(['webhook', 'test', slackHook.webhook.id], env);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /^failed: ECONNREFUSED/);

  // Test sends are not events: the delivery log stays empty.
  const log = await scoutAsync(['webhook', 'deliveries', id], env);
  assert.equal(log.code, 0, log.stderr);
  assert.match(log.stdout, /no delivery attempts yet/);

  const badKind = await scoutAsync(['webhook', 'add', receiver.url, '--kind', 'vulnerability.old'], env);
  assert.equal(badKind.code, 1);
  assert.match(badKind.stderr, /--kind must be one of/);
  const badUrl = await scoutAsync(['webhook', 'add', 'ftp://example.com/x'], env);
  assert.equal(badUrl.code, 1);
  assert.match(badUrl.stderr, /must be http\(s\)/);

  const rm = await scoutAsync(['webhook', 'remove', id], env);
  assert.equal(rm.code, 0, rm.stderr);
  const rmAgain = await scoutAsync(['webhook', 'rm', id], env);
  assert.equal(rmAgain.code, 1);
  assert.match(rmAgain.stderr, /no webhook/);
  const after = JSON.parse((await scoutAsync(['webhook', 'list', '--format', 'json'], env)).stdout) as { id: string }[];
  assert.deepEqual(after.map((w) => w.id), [slackHook.webhook.id]);
});
