/**
 * TlsMaterial -> grpc-js credentials.
 *
 * Internal: the server requires a client certificate from the internal CA (refused in the TLS
 * handshake otherwise); the dialler presents this node's client certificate and verifies the peer
 * by the host it dials (grpc-js checks the target's host against the certificate's SANs, so
 * `gokv2:7946` needs `DNS:gokv2` and `127.0.0.1:7946` needs `IP:127.0.0.1`). Nothing is ever
 * checked against this node's own name.
 *
 * External client auth, and what grpc-js can do for each mode:
 * - `none`: no certificate is asked for (`createSsl(ca, pairs, false)` sets `requestCert: false`).
 * - `require`: `createSsl(ca, pairs, true)` sets `requestCert: true` and leaves Node's server
 *   default `rejectUnauthorized: true`, so a client without a certificate from the CA fails the
 *   handshake: no HTTP/2 session, no gRPC status.
 * - `request`: `createSsl` cannot express it (its flag turns requesting and requiring on
 *   together). grpc-js's experimental certificate-provider credentials with
 *   `requireClientCertificate=false` give `requestCert: true, rejectUnauthorized: false`: the
 *   certificate is asked for and verified, but a connection without one, or with one the CA did
 *   not sign, still proceeds, as anonymous (`call.getAuthContext()` is empty for it and carries the
 *   peer certificate only when it verified). Node has no "verify if given" mode like Go's
 *   `VerifyClientCertIfGiven`, and grpc-js exposes no hook to refuse an unverified certificate, so
 *   an untrusted certificate counts as none. gokv has no per-identity authorization, so this only
 *   matters for auditing; use `require` to keep unknown clients out.
 */
import * as grpc from '@grpc/grpc-js';
import type { ExternalTlsMaterial, InternalTlsMaterial } from './material.js';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** Internal gRPC server: mutual TLS required with a CA, plaintext without. */
export function internalServerCredentials(material: InternalTlsMaterial | null): grpc.ServerCredentials {
  if (material === null) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(material.ca, [{ cert_chain: material.serverCert, private_key: material.serverKey }], true);
}

/** Channels to peers: presents this node's client certificate, trusts only the internal CA. */
export function internalChannelCredentials(material: InternalTlsMaterial | null): grpc.ChannelCredentials {
  if (material === null) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(material.ca, material.clientKey, material.clientCert);
}

/** External gRPC server: plaintext without material, else TLS with the configured client auth. */
export function externalServerCredentials(material: ExternalTlsMaterial | null): grpc.ServerCredentials {
  if (material === null) return grpc.ServerCredentials.createInsecure();
  const pairs = [{ cert_chain: material.cert, private_key: material.key }];
  switch (material.clientAuth) {
    case 'none':
      return grpc.ServerCredentials.createSsl(material.ca, pairs, false);
    case 'require':
      return grpc.ServerCredentials.createSsl(material.ca, pairs, true);
    case 'request': {
      if (material.ca === null) throw new Error('client auth "request" needs a CA to verify client certificates');
      // One provider serves both roles: grpc-js 1.14 passes this function's first two arguments
      // to the constructor in the other order than its typings name them.
      const provider = staticProvider(material.ca, material.cert, material.key);
      return grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
    }
  }
}

/**
 * A CertificateProvider with fixed contents. Updates are delivered on a microtask: grpc-js adds
 * its watcher only after subscribing to the provider, so a synchronous update would be lost and
 * the server would drop every connection as "credentials not loaded".
 */
function staticProvider(ca: Buffer, certificate: Buffer, privateKey: Buffer): CertificateProvider {
  return {
    addCaCertificateListener: (listener: CaListener) => queueMicrotask(() => listener({ caCertificate: ca })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener: IdentityListener) =>
      queueMicrotask(() => listener({ certificate, privateKey })),
    removeIdentityCertificateListener: () => undefined,
  };
}
