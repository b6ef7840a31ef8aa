import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { closest } from '../suggest.js';
import { isVulnerabilityId } from '../../util/vulnerability-id.js';
import { toolInfo } from '../tool.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { action, dbOptions, displayFor, EXIT, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutputs, type DbCliOptions, scanOptions, type ImageCliOptions } from '../common.js';
import { appendAll } from '../../util/arrays.js';
import { collect, pairOutputs } from '../output/pairs.js';
import { note, statusLine, warn } from '../terminal.js';

interface CvesOptions extends ImageCliOptions, DbCliOptions, TrustCliOptions {
  sbomSource?: string;
  secrets?: boolean;
  format: string[];
  output: string[];
  onlySeverity?: string;
  onlyFixed?: boolean;
  onlyUnfixed?: boolean;
  onlyPackageType?: string;
  onlyPackage?: string;
  onlyCveId?: string;
  onlyCisaKev?: boolean;
  epssScore?: string;
  epssPercentile?: string;
  onlyVexAffected?: boolean;
  vexLocation: string[];
  ignoreFile?: string;
  ignoreSuppressed?: boolean;
  locations?: boolean;
  exitCode?: boolean;
  server?: string;
  ignoreBase?: boolean;
  onlyBase?: boolean;
}

const list = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;

/**
 * The package (purl) types of the purl-spec's type list. A type outside it can match nothing,
 * and a gate such as `--only-package-type debian --exit-code` must not pass by mistake.
 */
export const PURL_TYPES: readonly string[] = [
  'alpm', 'apk', 'bitbucket', 'bitnami', 'cargo', 'cocoapods', 'composer', 'conan', 'conda', 'cpan', 'cran', 'deb', 'docker',
  'gem', 'generic', 'github', 'golang', 'hackage', 'hex', 'huggingface', 'julia', 'luarocks', 'maven', 'mlflow', 'npm', 'nuget',
  'oci', 'opam', 'otp', 'pub', 'pypi', 'qpkg', 'rpm', 'swid', 'swift', 'vscode-extension',
];

function packageTypes(s: string | undefined): string[] | undefined {
  const l = list(s);
  if (!l) return undefined;
  if (!l.length) throw new ScoutError('bad-option', '--only-package-type: no type given');
  return l.map((x) => {
    const t = x.toLowerCase();
    if (!PURL_TYPES.includes(t)) {
      const hint = closest(t, PURL_TYPES);
      throw new ScoutError('bad-option', `--only-package-type: "${x}" is not a package (purl) type${hint ? ` (did you mean ${hint}?)` : ''}; types: ${PURL_TYPES.join(', ')}`);
    }
    return t;
  });
}


function cveIds(s: string | undefined): string[] | undefined {
  const l = list(s);
  if (!l) return undefined;
  if (!l.length) throw new ScoutError('bad-option', '--only-cve-id: no id given');
  for (const id of l) if (!isVulnerabilityId(id)) throw new ScoutError('bad-option', `--only-cve-id: "${id}" is not a vulnerability id (CVE-2023-4911, GHSA-xxxx-xxxx-xxxx, DSA-5514-1, …)`);
  return l;
}

function severities(s: string | undefined): (typeof SEVERITIES)[number][] | undefined {
  const l = list(s);
  if (!l) return undefined;
  if (!l.length) throw new ScoutError('bad-option', '--only-severity: no level given');
  return l.map((x) => {
    const v = x.toLowerCase() === 'unspecified' ? 'unknown' : x.toLowerCase();
    if (!(SEVERITIES as readonly string[]).includes(v)) throw new ScoutError('bad-option', `--only-severity: "${x}" is not one of ${SEVERITIES.join(', ')} (or unspecified)`);
    return v as (typeof SEVERITIES)[number];
  });
}

/** An EPSS threshold: a probability 0..1, or a percentage written with '%'. */
function epss(flag: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const pct = s.trim().endsWith('%');
  const t = s.trim().replace(/%$/, '');
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n) || n < 0 || n > (pct ? 100 : 1)) throw new ScoutError('bad-option', `${flag} must be a number from 0 to 1 (or a percentage such as 50%), not "${s}"`);
  return pct ? n / 100 : n;
}

/** A path the user named must exist: a mistyped VEX location must not silently apply nothing. */
export async function existing(flag: string, path: string): Promise<string> {
  const { stat } = await import('node:fs/promises');
  await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `${flag} ${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`, { path });
  });
  return path;
}

export function register(program: Command): void {
  const cmd = trustOptions(imageOptions(
    program
      .command('cves')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('list the known vulnerabilities of the packages in an image or SBOM')
      .option('--format <format>', 'packages (default), json, sarif, markdown, gitlab, cyclonedx; repeat with -o to write several', collect, [])
      .option('-o, --output <file>', 'write the preceding --format to this file (repeatable; - is standard output)', collect, [])
      .option('--only-severity <levels>', 'comma-separated: critical, high, medium, low, negligible, unspecified')
      .option('--only-fixed', 'only vulnerabilities with a fix version')
      .option('--only-unfixed', 'only vulnerabilities without a fix version')
      .option('--only-package-type <types>', 'comma-separated package (purl) types: deb, apk, rpm, npm, pypi, …')
      .option('--only-package <names>', 'comma-separated package names or purls')
      .option('--only-cve-id <ids>', 'comma-separated vulnerability ids (CVE, GHSA, …)')
      .option('--only-cisa-kev', 'only vulnerabilities in the CISA Known Exploited Vulnerabilities catalog')
      .option('--epss-score <n>', 'only vulnerabilities with an EPSS score of at least n (0..1)')
      .option('--epss-percentile <n>', 'only vulnerabilities with an EPSS percentile of at least n (0..1)')
      .option('--only-vex-affected', 'leave out vulnerabilities a VEX statement says do not affect the package')
      .option('--vex-location <path>', 'VEX file (OpenVEX or CycloneDX VEX) or directory of them (repeatable)', collect, [])
      .option('--ignore-file <path>', 'vulnerabilities to report as suppressed, one per line (id, packages, exp:YYYY-MM-DD, # reason); default .scoutignore when it exists')
      .option('--ignore-suppressed', 'leave out vulnerabilities suppressed by a VEX not_affected statement or the ignore file')
      .option('--locations', 'show the files and layers each package was found in')
      .option('-e, --exit-code', 'exit with 2 when any vulnerability remains after the filters (suppressed ones do not count)')
      .option('--server <url>', 'match on this Scout server instead of the local database: it receives only the package URLs and layer digests, and keeps nothing')
      .option('--ignore-base', 'leave out vulnerabilities of packages the base image brought (needs --server, which detects the base image)')
      .option('--only-base', 'only vulnerabilities of packages the base image brought (needs --server)')
      .option('--sbom-source <source>', 'scan (our catalog, default), attestation (the image\'s SBOM attestation) or both merged', 'scan')
      .option('--secrets', 'also look for leaked secrets, in the same pass over the layers (listed on stderr; --exit-code counts them)'),
  ));
  dbOptions(cmd).action(
    action(async (ref: string, o: CvesOptions) => {
      const started = new Date().toISOString();
      const { FINDINGS_FORMATS, renderFindings } = await import('../../report/index.js');
      const outputs = pairOutputs(o.format, o.output, FINDINGS_FORMATS, 'packages');
      if (o.onlyFixed && o.onlyUnfixed) throw new ScoutError('bad-option', '--only-fixed and --only-unfixed exclude each other');
      const filters = {
        severities: severities(o.onlySeverity),
        onlyFixed: o.onlyFixed,
        onlyUnfixed: o.onlyUnfixed,
        packageTypes: packageTypes(o.onlyPackageType),
        packages: list(o.onlyPackage),
        cveIds: cveIds(o.onlyCveId),
        onlyCisaKev: o.onlyCisaKev,
        epssScore: epss('--epss-score', o.epssScore),
        epssPercentile: epss('--epss-percentile', o.epssPercentile),
        onlyVexAffected: o.onlyVexAffected || o.ignoreSuppressed,
      };

      if (o.ignoreBase && o.onlyBase) throw new ScoutError('bad-option', '--ignore-base and --only-base exclude each other');
      const { requireServerFor } = await import('../local-analysis.js');
      if (o.ignoreBase || o.onlyBase) requireServerFor(o.ignoreBase ? '--ignore-base' : '--only-base', o.server);
      // With --server the local database is not opened at all: the server matches.
      const { openStoreForMatching } = await import('../store.js');
      const { store, sources, close } = o.server ? { store: undefined, sources: [], close: async () => {} } : await openStoreForMatching(freshness(o));
      try {
        // A filter on data the database does not hold keeps nothing: say why.
        const has = (kind: string) => sources.some((x) => x.kind === kind);
        if (o.onlyCisaKev && !has('kev')) warn('--only-cisa-kev: the advisory database holds no CISA KEV catalog, so no vulnerability can pass; run `scout db update` (or `scout db import` a KEV file)');
        if ((o.epssScore !== undefined || o.epssPercentile !== undefined) && !has('epss')) warn(`${o.epssScore !== undefined ? '--epss-score' : '--epss-percentile'}: the advisory database holds no EPSS scores, so no vulnerability can pass; run \`scout db update\` (or \`scout db import\` an EPSS file)`);
        const { Warnings } = await import('../../util/errors.js');
        const { loadSbom } = await import('../../sbom/load.js');
        const { match, filterFindings, loadVex, parseVex } = await import('../../match/index.js');
        const warnings = new Warnings();
        // Read before the scan: a broken rule is an error now, not after minutes of work.
        const { DEFAULT_IGNORE_FILE, applyIgnoreRules, loadIgnoreFile } = await import('../../match/ignore-file.js');
        const ignoreRules = loadIgnoreFile(o.ignoreFile ?? DEFAULT_IGNORE_FILE, o.ignoreFile !== undefined);
        const vex: Awaited<ReturnType<typeof loadVex>> = [];
        for (const path of o.vexLocation) appendAll(vex, await loadVex(await existing('--vex-location', path), warnings));
        const { sbom, vexFiles, secrets } = await loadSbom(ref, openOptions(o), scanOptions(o), { sbomSource: (await import('../../sbom/sbom-source.js')).parseSbomSource(o.sbomSource), trust: await loadTrust(o), secrets: o.secrets });
        // VEX documents shipped inside the image apply like --vex-location ones.
        for (const f of vexFiles) {
          const doc = parseVex(f.content, f.path, warnings);
          if (doc) vex.push(doc);
        }
        statusLine.clear();
        statusLine.set('matching vulnerabilities');
        let result;
        let base;
        if (store) result = await match(sbom, store, { vex, warnings });
        else {
          const { matchOnServer } = await import('../local-analysis.js');
          const { applyVex } = await import('../../match/index.js');
          const remote = await matchOnServer(sbom, o.server!);
          result = remote.result;
          if (vex.length) applyVex(result.findings, vex, sbom);
          base = remote.baseImage;
          const { baseImageText } = await import('../output/platform.js');
          note(`base image: ${baseImageText(base, sbom.image?.layers.length)}`);
        }
        // After VEX: a finding a VEX statement already suppresses keeps that reason.
        applyIgnoreRules(result.findings, ignoreRules, warnings);
        // `warnings` holds the matcher's warnings and those of the VEX documents.
        printWarnings([...sbom.warnings, ...warnings.items]);
        // A distribution saying "not affected" is not a vulnerability: never listed.
        let open = result.findings.filter((f) => f.status !== 'not-affected');
        if (o.ignoreBase || o.onlyBase) open = (await import('../local-analysis.js')).splitByBase(open, sbom, base, o.ignoreBase ? 'ignore' : 'only');
        const findings = filterFindings(open, filters);
        const opts = {
          tool: toolInfo(),
          target: ref,
          startedAt: started,
          generatedAt: new Date().toISOString(),
          locations: o.locations ?? false,
          // Counted only for the report that lists them (counting costs tens of ms).
          ...(store && outputs.some((x) => x.format === 'json') ? { sources: (await store.status()).sources } : {}),
          match: result,
        };
        const written = await writeOutputs(outputs, (format, file) => {
          const display = displayFor(file);
          return renderFindings(format as (typeof FINDINGS_FORMATS)[number], findings, sbom, display ? { ...opts, display } : opts);
        });
        if (outputs.every((x) => x.file !== undefined)) {
          const { countFindings, summaryLine } = await import('../../report/summary.js');
          const { layerGaps } = await import('../../image/incomplete.js');
          process.stderr.write(`${summaryLine(countFindings(findings), layerGaps(sbom.warnings))}\n`);
        }
        // The gate counts what the report shows as open: suppressed findings are accepted.
        if (secrets) process.stderr.write((await import('../../secrets/report.js')).writeSecretsText(secrets) + '\n');
        // A report that could not be written is an error even when the others were.
        if (!written) return EXIT.error;
        if (o.exitCode && (findings.some((f) => !f.suppressed) || !!secrets?.findings.length)) return EXIT.policy;
        return scanExit(sbom.warnings);
      } finally {
        await close();
      }
    }),
  );
}
