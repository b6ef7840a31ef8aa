/**
 * A secret scan as the platform keeps it (`scout push --secrets`): rule, where, and the value
 * masked. The fingerprint (a hash of the value) stays on the client: a hash of a short
 * password can be tested against guesses, and our data-handling page promises no secret.
 */
import type { SecretScan, StoredSecret } from '../store/platform-store.js';
import type { SecretReport } from './collect.js';
import { mask, redactSecrets } from './scan-text.js';

/** What `scout push --secrets` sends of a report. */
export function secretScanOf(report: SecretReport, scannedAt: string): SecretScan {
  return {
    scannedAt,
    findings: report.findings.map((f) => ({
      rule: f.rule,
      title: f.title,
      severity: f.severity,
      source: f.source,
      location: f.location,
      ...(f.layer ? { layer: { index: f.layer.index, digest: f.layer.digest } } : {}),
      ...(f.deletedIn ? { deletedIn: { index: f.deletedIn.index } } : {}),
      ...(f.replacedIn ? { replacedIn: { index: f.replacedIn.index } } : {}),
      ...(f.line !== undefined ? { line: f.line } : {}),
      masked: f.masked,
    })),
    skipped: { ...report.skipped },
    unreadLayers: [...report.unreadLayers],
  };
}

/**
 * The scan as received, masked again where it is stored: a client that sent a value whole (an
 * older one, another tool) does not get it kept. Masking a mask gives the same mask, so what
 * `scout` sent is stored unchanged.
 */
export function remaskedSecretScan(scan: SecretScan): SecretScan {
  return {
    ...scan,
    findings: scan.findings.map((f): StoredSecret => ({ ...f, location: redactSecrets(f.location), masked: mask(f.masked) })),
  };
}
