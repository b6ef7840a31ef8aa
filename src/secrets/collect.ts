/**
 * Secret findings of a whole image: the file hits of every layer's pass (with whether a later
 * layer deleted or replaced the file: it still ships in its own layer), plus the image config's
 * environment variables, labels and history commands.
 */
import type { ImageScan } from '../image/scan.js';
import type { LayerRef } from '../image/layer-index.js';
import type { ImageConfig } from '../image/types.js';
import { RULES, type SecretSeverity } from './rules.js';
import { scanText, type SecretHit } from './scan-text.js';
import { SECRETS_ANALYZER } from './analyzer.js';

export type SecretSource = 'file' | 'env' | 'label' | 'history';

export interface SecretFinding {
  rule: string;
  title: string;
  severity: SecretSeverity;
  source: SecretSource;
  /** The file (source file), or the variable / label name, or `history[N]`. */
  location: string;
  layer?: LayerRef;
  /** A later layer deleted the file: it is gone from the container but still in the image. */
  deletedIn?: LayerRef;
  /** A later layer wrote another file at this path. */
  replacedIn?: LayerRef;
  line?: number;
  masked: string;
  fingerprint: string;
}

export interface SecretReport {
  findings: SecretFinding[];
  /** Files not read, by reason: binaries, files over the size cap, packages' own tests. */
  skipped: { binary: number; overCap: number; packageTest: number };
  /** Layers that could not be read: their files were not searched. */
  unreadLayers: number[];
}

const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]));
const SEVERITY_ORDER: Record<SecretSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

function finding(h: SecretHit, source: SecretSource, location: string, extra: Partial<SecretFinding> = {}): SecretFinding {
  const r = RULE_BY_ID.get(h.rule);
  return { rule: h.rule, title: r?.title ?? h.rule, severity: r?.severity ?? 'medium', source, location, ...extra, ...(h.line && source === 'file' ? { line: h.line } : {}), masked: h.masked, fingerprint: h.fingerprint };
}

/** Config strings: `NAME=value` env entries, `key=value` labels, history commands. */
export function configFindings(config: ImageConfig): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const e of config.config?.Env ?? []) {
    if (typeof e !== 'string') continue;
    const name = e.split('=')[0];
    for (const h of scanText(e)) out.push(finding(h, 'env', name));
  }
  for (const [k, v] of Object.entries(config.config?.Labels ?? {})) {
    if (typeof v !== 'string') continue;
    for (const h of scanText(`${k}=${v}`)) out.push(finding(h, 'label', k));
  }
  (config.history ?? []).forEach((h, i) => {
    if (typeof h?.created_by !== 'string') return;
    for (const hit of scanText(h.created_by)) out.push(finding(hit, 'history', `history[${i}]`));
  });
  return out;
}

/** What happened to `path` of layer `from` in the layers above it. */
function fate(scan: ImageScan, from: number, path: string): { deletedIn?: LayerRef; replacedIn?: LayerRef } {
  let result: { deletedIn?: LayerRef; replacedIn?: LayerRef } = {};
  for (const l of scan.layers) {
    if (l.ref.index <= from || !l.index) continue;
    for (const e of l.index.entries) {
      if ((e.type === 'whiteout' && (e.path === path || path.startsWith(e.path + '/'))) || (e.type === 'opaque' && path.startsWith(e.path + '/'))) result = { deletedIn: l.ref };
      else if (e.path === path && e.type !== 'dir') result = { replacedIn: l.ref };
    }
  }
  return result;
}

/** The file part of the report (what depends on the layers only, so it may be cached with them). */
export function fileSecrets(scan: ImageScan): SecretReport {
  const findings: SecretFinding[] = [];
  const skipped = { binary: 0, overCap: 0, packageTest: 0 };
  for (const l of scan.layers) {
    if (!l.index) continue;
    const t = l.index.tallies ?? {};
    skipped.binary += t[`${SECRETS_ANALYZER}:binary`] ?? 0;
    skipped.overCap += t[`${SECRETS_ANALYZER}:over-cap`] ?? 0;
    skipped.packageTest += t[`${SECRETS_ANALYZER}:package-test`] ?? 0;
    for (const [path, rec] of l.index.analyses) {
      const hits = rec[SECRETS_ANALYZER] as SecretHit[] | undefined;
      if (!Array.isArray(hits)) continue;
      const f = fate(scan, l.ref.index, path);
      for (const h of hits) findings.push(finding(h, 'file', path, { layer: l.ref, ...f }));
    }
  }
  return { findings: sortFindings(findings), skipped, unreadLayers: scan.failedLayers };
}

/** Files of every layer plus the config's env, labels and history. */
export function withConfig(files: SecretReport, config: ImageConfig): SecretReport {
  return { ...files, findings: sortFindings([...files.findings, ...configFindings(config)]) };
}

export function collectSecrets(scan: ImageScan): SecretReport {
  return withConfig(fileSecrets(scan), scan.image.config);
}

export function sortFindings(f: SecretFinding[]): SecretFinding[] {
  return f.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.layer?.index ?? Infinity) - (b.layer?.index ?? Infinity) || a.source.localeCompare(b.source) || a.location.localeCompare(b.location) || (a.line ?? 0) - (b.line ?? 0));
}
