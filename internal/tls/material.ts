/**
 * TlsConfig (paths) -> TlsMaterial (file contents, checked). Files are read once, at start; every
 * problem is reported in one ConfigError naming each variable and path.
 */
import { ConfigError, ENV, isWildcardHost, parseAddress, type ClientAuth, type TlsConfig } from '../config/index.js';
import { expiryOf, type CertificateExpiry } from './expiry.js';
import { Problems, certificateNames, checkCaBundle, checkPair, readPem, type PemFile } from './pem-files.js';

/** Internal mutual TLS: one CA for both directions, this node's server and client identities. */
export interface InternalTlsMaterial {
  readonly ca: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

/** External TLS: the server identity shown to clients; the CA verifies client certificates. */
export interface ExternalTlsMaterial {
  readonly ca: Buffer | null;
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientAuth: ClientAuth;
}

/** `null` on a side means that side is plaintext. */
export interface TlsMaterial {
  readonly internal: InternalTlsMaterial | null;
  readonly external: ExternalTlsMaterial | null;
  /** When each configured certificate file expires (empty when TLS is off). */
  readonly certificates: readonly CertificateExpiry[];
}

/**
 * Reads and checks every configured TLS file; throws one ConfigError listing all problems.
 * `clusterAdvertise` (host:port) is the address peers dial: the internal server certificate must
 * name its host, or every peer's handshake with this node fails while its own heartbeats get out.
 */
export function loadTlsMaterial(tls: TlsConfig, nowMs: number = Date.now(), clusterAdvertise: string | null = null): TlsMaterial {
  const problems = new Problems();
  const dates: (CertificateExpiry | null)[] = [];
  const internal = loadInternal(tls, problems, nowMs, clusterAdvertise, dates);
  const external = loadExternal(tls, problems, nowMs, dates);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return { internal, external, certificates: dates.filter((d) => d !== null) };
}

function loadInternal(
  { internal: paths }: TlsConfig,
  problems: Problems,
  nowMs: number,
  clusterAdvertise: string | null,
  dates: (CertificateExpiry | null)[],
): InternalTlsMaterial | null {
  const named = [
    [ENV.internalCa, paths.caPath],
    [ENV.internalServerCert, paths.serverCertPath],
    [ENV.internalServerKey, paths.serverKeyPath],
    [ENV.internalClientCert, paths.clientCertPath],
    [ENV.internalClientKey, paths.clientKeyPath],
  ] as const;
  const missing = named.filter(([, path]) => path === null).map(([variable]) => variable);
  if (missing.length === named.length) return null;
  if (missing.length > 0) {
    problems.list.push(`GOKV_INTERNAL_TLS_*: internal mutual TLS needs all five paths; missing ${missing.join(', ')}`);
    return null;
  }
  const [ca, serverCert, serverKey, clientCert, clientKey] = named.map(([variable, path]) => readPem(variable, path!, problems));
  const bundle = ca ? checkCaBundle(ca, problems, nowMs) : null;
  const serverChain = checkPair(serverCert ?? null, serverKey ?? null, bundle, problems, nowMs, ['serverAuth']);
  // Peers accept only node certificates on the cluster port (server/node-peers-only.ts).
  const clientChain = checkPair(clientCert ?? null, clientKey ?? null, bundle, problems, nowMs, ['serverAuth', 'clientAuth']);
  dates.push(
    expiryOf('internal_server', serverCert ?? null, serverChain),
    expiryOf('internal_client', clientCert ?? null, clientChain),
    expiryOf('internal_ca', ca ?? null, bundle?.certs ?? []),
  );
  const server = serverChain[0];
  const host = clusterAdvertise === null ? null : parseAddress(clusterAdvertise).host;
  if (server !== undefined && serverCert && host !== null && !isWildcardHost(host) && !certificateNames(server, host)) {
    problems.add(
      serverCert.variable,
      serverCert.path,
      `does not name ${host}, the host peers dial (${ENV.clusterAdvertise}); its names: ${server.subjectAltName ?? 'none'}`,
    );
  }
  if (!ca || !serverCert || !serverKey || !clientCert || !clientKey) return null;
  return {
    ca: ca.data,
    serverCert: serverCert.data,
    serverKey: serverKey.data,
    clientCert: clientCert.data,
    clientKey: clientKey.data,
  };
}

function loadExternal({ external: paths }: TlsConfig, problems: Problems, nowMs: number, dates: (CertificateExpiry | null)[]): ExternalTlsMaterial | null {
  if (paths.serverCertPath === null && paths.serverKeyPath === null) return null;
  if (paths.serverCertPath === null || paths.serverKeyPath === null) {
    const missing = paths.serverCertPath === null ? ENV.externalServerCert : ENV.externalServerKey;
    problems.list.push(`${missing}: external TLS needs both the server certificate and its key`);
    return null;
  }
  if (paths.clientAuth !== 'none' && paths.caPath === null) {
    problems.list.push(`${ENV.externalClientAuth}: ${paths.clientAuth} needs ${ENV.externalCa} to verify client certificates`);
  }
  const cert = readPem(ENV.externalServerCert, paths.serverCertPath, problems);
  const key = readPem(ENV.externalServerKey, paths.serverKeyPath, problems);
  const ca: PemFile | null = paths.caPath === null ? null : readPem(ENV.externalCa, paths.caPath, problems);
  const bundle = ca === null ? null : checkCaBundle(ca, problems, nowMs);
  // The server certificate is checked against its key only: clients may trust another CA than the
  // one that verifies client certificates.
  const chain = checkPair(cert, key, null, problems, nowMs, ['serverAuth']);
  dates.push(expiryOf('external_server', cert, chain), expiryOf('external_ca', ca, bundle?.certs ?? []));
  if (!cert || !key || (paths.caPath !== null && ca === null)) return null;
  return { ca: ca?.data ?? null, cert: cert.data, key: key.data, clientAuth: paths.clientAuth };
}
