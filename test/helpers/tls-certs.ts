/**
 * A certificate authority with a server and a client certificate, made by the openssl CLI the
 * way `dockerd --tlsverify` setups are made (Docker's "Protect the Docker daemon socket"
 * guide): a CA, a server certificate for 127.0.0.1 (serverAuth) and a client one (clientAuth),
 * both signed by it. EC P-256 keys, so that making them takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export interface TestPki {
  dir: string;
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A CA named `name`, and a server and a client certificate it signed. */
export function makePki(name = 'scout-test-ca'): TestPki {
  const dir = tempDir('scout-pki-');
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const issue = (who: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${who}.ext`), ext);
    openssl(dir, ['req', ...EC, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}-cert.pem`, '-days', '2', '-extfile', `${who}.ext`]);
  };
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=scout-client', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string) => readFileSync(join(dir, f));
  return { dir, ca: read('ca.pem'), serverCert: read('server-cert.pem'), serverKey: read('server-key.pem'), clientCert: read('client-cert.pem'), clientKey: read('client-key.pem') };
}

/** A DOCKER_CERT_PATH folder: ca.pem, cert.pem and key.pem, as the Docker CLI reads them. */
export function certPath(pki: TestPki, files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }): string {
  const dir = tempDir('scout-certs-');
  if (files.ca) writeFileSync(join(dir, 'ca.pem'), files.ca);
  if (files.cert) writeFileSync(join(dir, 'cert.pem'), files.cert);
  if (files.key) writeFileSync(join(dir, 'key.pem'), files.key);
  return dir;
}
