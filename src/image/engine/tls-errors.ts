/**
 * What a failed TLS connection to an engine means, in words a user can act on. OpenSSL's codes
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, …) name the
 * symptom; the message names the file or setting to look at.
 */
import type { EngineTls } from './endpoint.js';

/** Codes of a server certificate that no trusted CA signed. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** The reason, or undefined when `err` is no TLS failure (a refused connection, say). */
export function tlsFailure(err: NodeJS.ErrnoException, tls: EngineTls): string | undefined {
  const code = err.code ?? '';
  const trusted = tls.caFile ? `the CA of ${tls.caFile}` : 'any CA this system trusts (no ca.pem in ' + tls.from + ')';
  if (UNTRUSTED.has(code)) return `the engine's TLS certificate is not signed by ${trusted} (${code}); check DOCKER_CERT_PATH or the context's ca.pem`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the engine's TLS certificate is not for this host (${err.message})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the engine's TLS certificate is not valid now (${code})`;
  // The engine checks Scout's client certificate: none sent, or one its CA did not sign.
  if (/ALERT_CERTIFICATE_REQUIRED/.test(code)) return `the engine requires a client certificate, and ${tls.from} has no cert.pem and key.pem (${code})`;
  if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|ACCESS_DENIED|DECRYPT_ERROR)/.test(code)) return `the engine refused the client certificate ${tls.certFile ?? ''} (${code}); is it signed by the engine's CA?`.replace('  ', ' ');
  // Under TLS 1.3 the client's handshake ends before the engine checks its certificate; the
  // engine's alert may then be lost to the reset of the connection it closes.
  if (code === 'ECONNRESET') {
    return tls.certFile
      ? `the engine closed the connection (ECONNRESET); it probably refused the client certificate ${tls.certFile}: is it signed by the engine's CA?`
      : `the engine closed the connection (ECONNRESET); if it requires a client certificate, ${tls.from} has no cert.pem and key.pem`;
  }
  if (/^ERR_SSL_|^ERR_TLS_/.test(code) || /SSL routines|wrong version number/i.test(err.message)) return `TLS failed (${code || err.message}); is the engine listening with TLS on this port (Docker's TLS port is 2376)?`;
  return undefined;
}
