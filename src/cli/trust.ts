import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { TrustOptions } from '../attest/types.js';
import { ScoutError } from '../util/errors.js';

/** Options that say what may vouch for an attestation's signature (all checked offline). */
export function trustOptions(cmd: Command): Command {
  return cmd
    .option('--key <file...>', 'PEM public key(s) that may sign attestations (DSSE envelopes, Sigstore bundles)')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for certificate-signed bundles (offline; no TUF fetch)')
    .option('--certificate-identity <san>', 'the signer a certificate-signed bundle must name (its email or URI, exactly); with --trusted-root')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer a certificate-signed bundle must name, exactly; with --trusted-root');
}

export interface TrustCliOptions {
  key?: string[];
  trustedRoot?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
}

/** Whether any option asks for signatures to be checked (commands that skip attestations otherwise). */
export function wantsTrust(o: TrustCliOptions): boolean {
  return !!(o.key?.length || o.trustedRoot || o.certificateIdentity !== undefined || o.certificateOidcIssuer !== undefined);
}

async function readNamed(flag: string, path: string): Promise<string> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `${flag} ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { path });
  });
}

export async function loadTrust(o: TrustCliOptions): Promise<TrustOptions> {
  const keys = [];
  for (const path of o.key ?? []) keys.push({ name: path, pem: await readNamed('--key', path) });
  let trustedRoot: unknown;
  if (o.trustedRoot) {
    const text = await readNamed('--trusted-root', o.trustedRoot);
    try {
      trustedRoot = JSON.parse(text);
    } catch (err) {
      throw new ScoutError('malformed-json', `--trusted-root ${o.trustedRoot}: not valid JSON (${(err as Error).message})`, { path: o.trustedRoot });
    }
  }
  // An identity only a trusted root can vouch for: asked without one, nothing could match it.
  if ((o.certificateIdentity !== undefined || o.certificateOidcIssuer !== undefined) && !o.trustedRoot) {
    throw new ScoutError('bad-option', `${o.certificateIdentity !== undefined ? '--certificate-identity' : '--certificate-oidc-issuer'} checks certificate-signed bundles against a --trusted-root: give one`);
  }
  return {
    keys,
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    ...(o.certificateIdentity !== undefined ? { identity: o.certificateIdentity } : {}),
    ...(o.certificateOidcIssuer !== undefined ? { issuer: o.certificateOidcIssuer } : {}),
  };
}
