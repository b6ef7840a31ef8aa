/**
 * `scout watch --registry URL [--repository R…] [--interval S]`: keep a Scout server's images
 * in step with a registry. Each pass lists the repositories (the catalog, or those named), their
 * tags and the digest of each, and analyses and stores on the server (as `scout push` does) the
 * images it does not hold yet; a tag that moved to an image it holds is pointed at it, and a tag
 * the registry no longer lists is removed on the server (the image stays). Without
 * --interval: one pass, its summary, exit 1 when anything failed (3 when an image was stored
 * with a layer unread). With it: a pass every S seconds until SIGINT or SIGTERM. --server-side:
 * the server pulls and analyses the new images (POST /v1/images/analyze); the pass waits for them.
 */
import type { Command } from 'commander';
import { action, EXIT, imageOptions, openOptions, scanOptions, type ImageCliOptions } from '../common.js';
import { loadTrust, trustOptions, wantsTrust, type TrustCliOptions } from '../trust.js';
import { ScoutError } from '../../util/errors.js';

interface WatchOptions extends ImageCliOptions, TrustCliOptions {
  registry: string;
  repository?: string[];
  interval?: string;
  server?: string;
  secrets?: boolean;
  serverSide?: boolean;
  format: string;
}

export function register(program: Command): void {
  trustOptions(
    imageOptions(
      program
        .command('watch')
        .description('analyse and store on the Scout server the images of a registry it does not hold yet: new tags, and tags that moved to a new digest; tags deleted from the registry are removed on the server (once, or every --interval seconds)')
        .requiredOption('--registry <url>', 'the registry: host[:port], https://host or http://host:port (plain HTTP)')
        .option('--repository <name...>', 'watch only these repositories (default: every repository the registry\'s catalog lists)')
        .option('--interval <seconds>', 'a pass every this many seconds until stopped (default: one pass)')
        .option('--server <url>', 'server URL (default: SCOUT_SERVER or scout login\'s)')
        .option('--secrets', 'also search each new image\'s layers for leaked secrets and store the findings (values masked), as scout push --secrets')
        .option('--server-side', 'let the server pull and analyse new images (POST /v1/images/analyze; the registry must be one the server allows) instead of analysing them here')
        .option('--format <format>', 'each pass\'s summary as text or json (one JSON object per pass, one per line)', 'text'),
      { ref: false },
    ),
  ).action(
    action(async (o: WatchOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      if (o.serverSide && o.secrets) throw new ScoutError('bad-option', '--server-side stores no secret scan (the server analyses as scout push without --secrets): drop --secrets or --server-side');
      const interval = o.interval === undefined ? undefined : Number(o.interval);
      if (interval !== undefined && (o.interval!.trim() === '' || !Number.isFinite(interval) || interval < 1)) throw new ScoutError('bad-option', `--interval must be a number of seconds (1 or more), not "${o.interval}"`);
      const { resolveLogin } = await import('../server-client.js');
      const login = resolveLogin(o.server);
      const { checkRepositoryNames, parseRegistryUrl, RegistryView } = await import('../../watch/registry-view.js');
      const { registry, insecure } = parseRegistryUrl(o.registry);
      checkRepositoryNames(o.repository ?? []);
      const open = openOptions({ ...o, insecureRegistry: [...(o.insecureRegistry ?? []), ...(insecure ? [registry] : [])] });
      const scan = scanOptions(o);
      const view = new RegistryView({
        registry,
        insecureRegistries: open.insecureRegistries ?? [],
        ...(open.platform ? { platform: open.platform } : {}),
        ...(open.transferPace ? { pace: open.transferPace } : {}),
        ...(open.allowPrivateRedirects ? { allowPrivateRedirects: true } : {}),
      });
      const trust = wantsTrust(o) ? await loadTrust(o) : undefined;
      const { imageFacts } = await import('../../platform/image-facts.js');
      const { pushBody } = await import('../../platform/push-body.js');
      const { watchPass } = await import('../../watch/pass.js');
      const { passText } = await import('../../watch/report.js');
      const target = {
        view,
        repositories: o.repository ?? [],
        login,
        open,
        scan,
        analyse: (ref: string) => imageFacts(ref, open, scan, { secrets: !!o.secrets, ...(trust ? { trust } : {}) }),
        body: (facts: Parameters<typeof pushBody>[0]) => pushBody(facts),
        ...(o.serverSide ? { serverSide: { ...(o.platform ? { platform: o.platform } : {}) } } : {}),
      };
      const runPass = async () => {
        const r = await watchPass(target);
        process.stdout.write(o.format === 'json' ? JSON.stringify(r) + '\n' : passText(r));
        for (const f of r.failures) process.stderr.write(`error: ${f.what}: ${f.message}\n`);
        return r;
      };
      if (interval === undefined) {
        const r = await runPass();
        return r.failures.length ? EXIT.error : r.stored.some((s) => s.incompleteLayers) ? EXIT.incomplete : EXIT.ok;
      }
      const stop = new AbortController();
      const { untilStopped } = await import('../until-stopped.js');
      void untilStopped(async () => stop.abort());
      while (!stop.signal.aborted) {
        await runPass();
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, interval * 1000);
          stop.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          }, { once: true });
        });
      }
      return EXIT.ok;
    }),
  );
}
