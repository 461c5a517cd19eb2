/**
 * Reading and checking PEM files named by the TLS variables. Every file is read once; problems are
 * collected (unreadable file, not a certificate or key, key not matching its certificate, expired,
 * not issued by the configured CA) and reported together, each naming its variable and path.
 * Messages never include file contents.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { readSmallFile } from '../config/index.js';

/** A file as read, with the variable that named it (for messages). */
export interface PemFile {
  readonly variable: string;
  readonly path: string;
  readonly data: Buffer;
}

/** Collects problems so that one error can report all of them. */
export class Problems {
  readonly list: string[] = [];

  add(variable: string, path: string, message: string): void {
    this.list.push(`${variable}: ${message} ('${path}')`);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads `path`; on failure records a problem and returns null. */
export function readPem(variable: string, path: string, problems: Problems): PemFile | null {
  try {
    return { variable, path, data: readSmallFile(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EFBIG' ? (err as Error).message : (code ?? 'unreadable');
    problems.add(variable, path, `cannot read: ${reason}`);
    return null;
  }
}

/** Every certificate in a PEM file (a chain or a CA bundle); records a problem when there is none. */
export function parseCertificates(file: PemFile, problems: Problems): X509Certificate[] {
  const blocks = file.data.toString('latin1').match(PEM_CERT) ?? [];
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      problems.add(file.variable, file.path, 'holds a certificate that cannot be parsed');
      return [];
    }
  }
  if (blocks.length === 0) problems.add(file.variable, file.path, 'holds no PEM certificate');
  return certs;
}

export function parseKey(file: PemFile, problems: Problems): KeyObject | null {
  try {
    return createPrivateKey(file.data);
  } catch {
    problems.add(file.variable, file.path, 'is not an unencrypted PEM private key');
    return null;
  }
}

/**
 * Checks a certificate chain file, its key and (when given) the CA bundle that must have issued it:
 * the key matches the first certificate, no certificate has expired, and the last one of the chain
 * was issued by a CA of the bundle (or is one of them). Returns the chain (leaf first; empty when
 * there is none).
 */
export function checkPair(
  certFile: PemFile | null,
  keyFile: PemFile | null,
  ca: CaBundle | null,
  problems: Problems,
  nowMs: number,
  uses: readonly Use[] = [],
): readonly X509Certificate[] {
  const chain = certFile === null ? [] : parseCertificates(certFile, problems);
  const key = keyFile === null ? null : parseKey(keyFile, problems);
  const leaf = chain[0];
  if (certFile === null || leaf === undefined) return [];
  // A certificate without an extended key usage is good for any purpose.
  const allowed = leaf.keyUsage;
  const lacking = allowed === undefined ? [] : uses.filter((use) => !allowed.includes(USE_OIDS[use]));
  if (lacking.length > 0) {
    problems.add(certFile.variable, certFile.path, `is not a certificate for ${lacking.join(' and ')} (its extended key usage)`);
  }
  if (keyFile !== null && key !== null && !leaf.checkPrivateKey(key)) {
    problems.add(keyFile.variable, keyFile.path, `does not match the certificate in '${certFile.path}'`);
  }
  for (const cert of chain) checkDates(certFile, cert, problems, nowMs);
  const top = chain[chain.length - 1]!;
  if (ca !== null && ca.certs.length > 0 && !ca.certs.some((c) => issuedBy(top, c))) {
    problems.add(certFile.variable, certFile.path, `was not issued by the CA in '${ca.file.path}'`);
  }
  return chain;
}

/** What a certificate is checked to be for: TLS server authentication, client authentication. */
export type Use = 'serverAuth' | 'clientAuth';
const USE_OIDS: Record<Use, string> = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };

/**
 * Whether `cert` names `host` (an IP address or a DNS name, wildcards as TLS matches them): peers
 * check the server certificate against the host they dial, the advertised one.
 */
export function certificateNames(cert: X509Certificate, host: string): boolean {
  return isIP(host) !== 0 ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}

/** A CA file and the certificates it holds. */
export interface CaBundle {
  readonly file: PemFile;
  readonly certs: readonly X509Certificate[];
}

/**
 * Parses a CA bundle and checks its dates (no certificates when it has a problem). A bundle in
 * which no certificate can anchor a chain (all leaves issued by someone else, such as a node's or
 * a client's certificate given in place of the CA) would make every handshake fail: refused here.
 */
export function checkCaBundle(file: PemFile, problems: Problems, nowMs: number): CaBundle {
  const certs = parseCertificates(file, problems);
  for (const cert of certs) checkDates(file, cert, problems, nowMs);
  if (certs.length > 0 && !certs.some(canAnchor)) {
    const subject = certs[0]!.subject.replace(/\n/g, ', ');
    problems.add(
      file.variable,
      file.path,
      `holds no CA certificate (the first is '${subject}', a certificate that is not a CA and not self-signed), so it cannot verify any peer; give the CA that issued the certificates (certs.sh: certs/ca.cert.pem)`,
    );
  }
  return { file, certs };
}

/**
 * Whether OpenSSL can take `cert` as a trust anchor: a CA (basicConstraints CA:TRUE), or a
 * self-signed certificate pinned as its own anchor (checked: OpenSSL 3 accepts that one).
 */
function canAnchor(cert: X509Certificate): boolean {
  if (cert.ca) return true;
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  if (cert.fingerprint256 === ca.fingerprint256) return true;
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/**
 * Expired certificates only: a "not yet valid" one is left to the handshake, since a freshly made
 * certificate seen from a host whose clock is a little behind must not stop a node.
 */
function checkDates(file: PemFile, cert: X509Certificate, problems: Problems, nowMs: number): void {
  const notAfter = Date.parse(cert.validTo);
  if (Number.isFinite(notAfter) && notAfter < nowMs) {
    problems.add(file.variable, file.path, `holds a certificate that expired on ${new Date(notAfter).toISOString()}`);
  }
}
