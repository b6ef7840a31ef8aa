/**
 * The top-level commands as `scout --help` lists them, without loading their modules: running
 * one command loads that command's module only (program.ts), and the others are named by
 * these stubs. Start-up time is mostly module loading, and every command module pulls in its
 * own part of the library; issue #10 wants `scout --help` within 0.1 s.
 *
 * The terms and descriptions must be what the modules register: test/cli/lazy-commands.test.ts
 * compares this list with the fully loaded command tree and fails on any difference.
 *
 * The program's own description and options are here too: program.ts registers them from this
 * data, and quick-help.ts renders `scout --help` from it without loading commander at all.
 */
export interface CommandStub {
  /** As commander's help shows a subcommand: name, first alias, [options], arguments. */
  term: string;
  description: string;
  alias?: string;
}

/** The program's description in `scout --help`. */
export const PROGRAM_DESCRIPTION = 'iEchor Scout: container image metadata, SBOMs and vulnerabilities, self-hosted';

/** Options every command takes, before or after the command's name (settings.ts applies them). */
export const GLOBAL_OPTIONS: readonly { flags: string; description: string }[] = [
  { flags: '--config <file>', description: 'read settings from this YAML file only (default: ./.scout.yaml, then ~/.config/iechor-scout/config.yaml); also SCOUT_CONFIG' },
  { flags: '--cache-dir <dir>', description: 'where Scout keeps layer results, the advisory database and downloads (default ~/.cache/iechor-scout); also SCOUT_CACHE_DIR' },
  { flags: '-q, --quiet', description: 'no progress line, notes or warnings on stderr (errors still); also SCOUT_QUIET=1' },
  { flags: '--no-color', description: 'no colour, even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 forces it)' },
];

/** The two commands program.ts registers itself, before the stubs: `version` and the `image` group. */
export const VERSION_DESCRIPTION = "this program's version, commit, Node.js version and advisory database schema";
export const IMAGE_DESCRIPTION = 'work with images';

export const COMMAND_STUBS: Readonly<Record<string, CommandStub>> = {
  sbom: { term: 'sbom [options] <image>', description: 'list every OS and language package in an image, or export it as an SBOM' },
  cache: { term: 'cache', description: 'the local cache of per-layer results and unpacked archives' },
  cves: { term: 'cves [options] <image>', description: 'list the known vulnerabilities of the packages in an image or SBOM' },
  db: { term: 'db', description: 'the local advisory database: import, update, status' },
  quickview: { term: 'quickview|qv [options] <image>', description: 'one screen about an image: reference, digest, packages, vulnerabilities by severity, policy status and health score', alias: 'qv' },
  policy: { term: 'policy [options] <image>', description: "evaluate the policies (built-in and custom CEL) on an image: each one's status, violations and fix, and a health score A–F" },
  policies: { term: 'policies', description: "the organisation's policy configuration on the server: which policies judge its images, with which parameters" },
  explain: { term: 'explain [options] <vuln-id> <image>', description: 'why a vulnerability matches a package of an image, or why it does not' },
  compare: { term: 'compare [options] <image>', description: 'compare two images: packages added, removed and changed, vulnerabilities added and removed, sizes' },
  recommendations: { term: 'recommendations [options] <image>', description: "other tags of the base image's repository, ranked by fewer fixable critical/high vulnerabilities, same OS family, newer, smaller (the server receives only the layer digests)" },
  environment: { term: 'environment|env [options] [env] [image]', description: 'environments: where images run. No argument: list them; ENV: what runs there now; ENV IMAGE: record that IMAGE runs in ENV', alias: 'env' },
  webhook: { term: 'webhook', description: "the organisation's webhooks: where events are delivered" },
  vex: { term: 'vex', description: "the organisation's VEX documents on the server: add, list, remove" },
  server: { term: 'server [options]', description: 'run the platform server (HTTP API), or administer its store (token, catalog)' },
  worker: { term: 'worker [options]', description: "run the platform's jobs (re-matches, webhook deliveries, server-side image analyses) from the server's PostgreSQL queue; start as many as you like, on any machine that reaches the database" },
  attestation: { term: 'attestation|attest', description: 'in-toto attestations of an image: provenance, SBOMs, signatures', alias: 'attest' },
  login: { term: 'login [options] <server>', description: 'check a token against a Scout server and remember both (in a 0600 file under the config directory)' },
  logout: { term: 'logout', description: 'forget the server and token scout login saved' },
  push: { term: 'push [options] <image>', description: 'analyse an image locally and store its metadata, SBOM and provenance on the Scout server (which matches it, evaluates its policies and keeps the findings)' },
  watch: { term: 'watch [options]', description: 'analyse and store on the Scout server the images of a registry it does not hold yet: new tags, and tags that moved to a new digest; tags deleted from the registry are removed on the server (once, or every --interval seconds)' },
  repo: { term: 'repo', description: 'repositories stored on the server' },
  vuln: { term: 'vuln [options] <id>', description: 'which of your stored images and packages have this vulnerability, and the workloads running those images now' },
  package: { term: 'package [options] <purl>', description: 'where a package is used in your stored images' },
  secrets: { term: 'secrets [options] <image>', description: 'find leaked secrets in every layer of an image (deleted files included), its environment, labels and history' },
  completion: { term: 'completion <shell>', description: 'print a shell completion script: bash, zsh or fish (see the README for where to put it)' },
};
