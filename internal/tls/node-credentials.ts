/**
 * Everything a node needs for TLS, built from its Config in one go: the files are read once, and
 * the result says in one line (for one warning at start) which listeners run plaintext.
 */
import type * as grpc from '@grpc/grpc-js';
import { ENV, type Config } from '../config/index.js';
import { externalServerCredentials, internalChannelCredentials, internalServerCredentials } from './grpc-credentials.js';
import type { CertificateExpiry } from './expiry.js';
import { httpsOptionsFrom, type HttpsServerOptions } from './https-options.js';
import { loadTlsMaterial } from './material.js';

export interface NodeCredentials {
  /** Internal gRPC server (node-to-node). */
  readonly internalServer: grpc.ServerCredentials;
  /** Channels this node opens to peers. */
  readonly internalClient: grpc.ChannelCredentials;
  /** External gRPC server (clients). */
  readonly externalServer: grpc.ServerCredentials;
  /** External REST (and RESP) TLS options; `null` = plaintext. */
  readonly https: HttpsServerOptions | null;
  /** What runs with TLS, for the start log line. */
  readonly summary: { readonly internal: 'mtls' | 'plaintext'; readonly external: 'tls' | 'plaintext'; readonly clientAuth: string };
  /** One warning to log once at start when an enabled listener runs plaintext; else null. */
  readonly plaintextWarning: string | null;
  /** When each configured certificate file expires (empty when TLS is off). */
  readonly certificates: readonly CertificateExpiry[];
}

/** Reads and checks the TLS files of `config` (throws a ConfigError listing every bad one). */
export function loadNodeCredentials(config: Pick<Config, 'tls' | 'addresses'>, nowMs: number = Date.now()): NodeCredentials {
  const material = loadTlsMaterial(config.tls, nowMs, config.addresses.clusterAdvertise);
  return {
    internalServer: internalServerCredentials(material.internal),
    internalClient: internalChannelCredentials(material.internal),
    externalServer: externalServerCredentials(material.external),
    https: httpsOptionsFrom(material.external),
    summary: {
      internal: material.internal === null ? 'plaintext' : 'mtls',
      external: material.external === null ? 'plaintext' : 'tls',
      clientAuth: material.external?.clientAuth ?? 'none',
    },
    plaintextWarning: plaintextWarning(config, material.internal !== null, material.external !== null),
    certificates: material.certificates,
  };
}

function plaintextWarning({ addresses }: Pick<Config, 'addresses'>, internalTls: boolean, externalTls: boolean): string | null {
  const internalOpen = !internalTls && addresses.clusterBind !== null;
  const externalOpen = !externalTls && (addresses.grpcBind !== null || addresses.restBind !== null || addresses.respBind !== null);
  const internalHow = `set ${ENV.internalCa} and the four other GOKV_INTERNAL_TLS_*_PATH variables`;
  const externalHow = `set ${ENV.externalServerCert} and ${ENV.externalServerKey}`;
  if (internalOpen && externalOpen) {
    return `TLS is off: node-to-node and client traffic is plaintext and unauthenticated (${internalHow}; ${externalHow}; certs.sh makes certificates)`;
  }
  if (internalOpen) {
    return `internal TLS is off: node-to-node traffic is plaintext and any host that reaches the cluster port can join (${internalHow})`;
  }
  if (externalOpen) return `external TLS is off: client traffic is plaintext (${externalHow})`;
  return null;
}
