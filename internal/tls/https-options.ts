/**
 * External TLS for Node's `https.createServer` (REST) and `tls.createServer` (RESP). Node can do
 * all three client-auth modes natively: `require` refuses a client without a certificate from the
 * CA in the handshake; `request` asks for one and records whether it verified
 * (`req.socket.authorized`) but lets the connection through either way.
 */
import type { Config } from '../config/index.js';
import { loadTlsMaterial, type ExternalTlsMaterial } from './material.js';

export interface HttpsServerOptions {
  readonly key: Buffer;
  readonly cert: Buffer;
  /** CA that verifies client certificates; absent when none is configured. */
  readonly ca?: Buffer;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
}

/** Options for external TLS from already loaded material; `null` means plaintext. */
export function httpsOptionsFrom(material: ExternalTlsMaterial | null): HttpsServerOptions | null {
  if (material === null) return null;
  const base = { key: material.key, cert: material.cert, ...(material.ca === null ? {} : { ca: material.ca }) };
  switch (material.clientAuth) {
    case 'none':
      return { ...base, requestCert: false, rejectUnauthorized: false };
    case 'request':
      return { ...base, requestCert: true, rejectUnauthorized: false };
    case 'require':
      return { ...base, requestCert: true, rejectUnauthorized: true };
  }
}

/**
 * Reads the external TLS files of `config` (throws a ConfigError naming each bad file) and returns
 * https server options, or `null` when external TLS is off. Prefer `loadNodeCredentials(config).https`
 * inside a node, which reads the files once for gRPC and REST together.
 */
export function externalHttpsOptions(config: Pick<Config, 'tls'>): HttpsServerOptions | null {
  const { external } = config.tls;
  const externalOnly = { ...config.tls, internal: noInternal };
  return external.serverCertPath === null && external.serverKeyPath === null
    ? null
    : httpsOptionsFrom(loadTlsMaterial(externalOnly).external);
}

const noInternal = { caPath: null, serverCertPath: null, serverKeyPath: null, clientCertPath: null, clientKeyPath: null };
