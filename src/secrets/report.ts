/** Secret findings as text, JSON and SARIF. Only masked values ever reach a report. */
import { RULES } from './rules.js';
import { INFORMATION_URI } from '../report/sarif.js';
import type { SecretFinding, SecretReport } from './collect.js';

function where(f: SecretFinding): string {
  if (f.source !== 'file') return `${f.source} ${f.location}`;
  const layer = f.layer ? `layer ${f.layer.index} (${f.layer.digest.slice(0, 19)})` : '';
  const gone = f.deletedIn ? `, deleted by layer ${f.deletedIn.index} but still in the image` : f.replacedIn ? `, replaced by layer ${f.replacedIn.index} but still in the image` : '';
  return `${f.location}${f.line ? `:${f.line}` : ''}  ${layer}${gone}`;
}

export function skippedLine(r: SecretReport): string {
  const s = r.skipped;
  return `skipped: ${s.binary} binary, ${s.overCap} over the size cap, ${s.packageTest} in package docs, tests and examples`;
}

export function writeSecretsText(r: SecretReport): string {
  const lines: string[] = [];
  if (!r.findings.length) lines.push('No secrets found.');
  for (const f of r.findings) lines.push(`${f.severity.toUpperCase().padEnd(8)} ${f.rule}  ${f.masked}\n         ${where(f)}`);
  lines.push('', `${r.findings.length} secret${r.findings.length === 1 ? '' : 's'} found; ${skippedLine(r)}`);
  if (r.unreadLayers.length) lines.push(`layers not read (their files were not searched): ${r.unreadLayers.join(', ')}`);
  return lines.join('\n');
}

export function writeSecretsJson(r: SecretReport, target: string): string {
  return JSON.stringify({ schema: 'iechor-scout/secrets@1', target, ...r }, null, 2);
}

const LEVEL: Record<string, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
const SCORE: Record<string, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

export function writeSecretsSarif(r: SecretReport, target: string, tool: { name: string; version: string }): string {
  const used = new Set(r.findings.map((f) => f.rule));
  const rules = RULES.filter((x) => used.has(x.id)).map((x) => ({
    id: x.id,
    name: x.id,
    shortDescription: { text: x.title },
    help: { text: `Remove the credential from the image (every layer: deleting it in a later layer does not), rotate it, and pass secrets at run time or with build secrets (RUN --mount=type=secret).` },
    properties: { 'security-severity': SCORE[x.severity], tags: ['security', 'secret'] },
  }));
  const results = r.findings.map((f) => ({
    ruleId: f.rule,
    level: LEVEL[f.severity],
    message: { text: `${RULES.find((x) => x.id === f.rule)?.title ?? f.rule} (${f.masked}) in ${where(f)}` },
    locations: [
      f.source === 'file'
        ? { physicalLocation: { artifactLocation: { uri: f.location.replace(/^\//, '') }, ...(f.line ? { region: { startLine: f.line } } : {}) }, ...(f.layer ? { logicalLocations: [{ name: `layer ${f.layer.index}`, fullyQualifiedName: f.layer.diffId, kind: 'layer' }] } : {}) }
        : { logicalLocations: [{ name: f.location, kind: f.source }] },
    ],
    partialFingerprints: { secretHash: f.fingerprint },
  }));
  return JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [{ tool: { driver: { name: tool.name, version: tool.version, informationUri: INFORMATION_URI, rules } }, automationDetails: { id: `secrets/${target}/` }, results }] }, null, 2);
}
