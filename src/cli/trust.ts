import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { TrustOptions } from '../attest/types.js';
import { ScoutError } from '../util/errors.js';

/** Options that say what may vouch for an attestation's signature (all checked offline). */
export function trustOptions(cmd: Command): Command {
  return cmd
    .option('--key <file...>', 'PEM public key(s) that may sign attestations (DSSE envelopes, Sigstore bundles)')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for certificate-signed bundles (offline; no TUF fetch)');
}

export interface TrustCliOptions {
  key?: string[];
  trustedRoot?: string;
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
  return { keys, ...(trustedRoot !== undefined ? { trustedRoot } : {}) };
}
