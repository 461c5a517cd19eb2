/**
 * When the configured certificates stop working. Files are read once, at start, so a certificate
 * that expires while nodes run makes every new handshake fail at that moment: these say so ahead.
 * Pure: node/ logs the notices, schedules the checks and exports the dates as a metric.
 */
import type { X509Certificate } from 'node:crypto';
import type { PemFile } from './pem-files.js';

/** Which configured file a certificate date belongs to (the metric's `which` label). */
export type CertificateRole = 'internal_server' | 'internal_client' | 'internal_ca' | 'external_server' | 'external_ca';

/** A configured certificate file and the earliest notAfter of the certificates it holds. */
export interface CertificateExpiry {
  readonly which: CertificateRole;
  readonly variable: string;
  readonly path: string;
  readonly notAfterMs: number;
}

const DAY_MS = 86_400_000;

/** At start, a warning for every certificate that expires within this many days (no config key). */
export const EXPIRY_WARNING_DAYS = 30;
/** While running, a warning once a day for every certificate that expires within this many days. */
export const EXPIRY_URGENT_DAYS = 7;

/**
 * The earliest notAfter in a file: in a chain any expired certificate breaks the handshake, and in
 * a CA bundle the first CA to expire is the first that stops verifying its peers.
 */
export function expiryOf(which: CertificateRole, file: PemFile | null, certs: readonly X509Certificate[]): CertificateExpiry | null {
  const dates = certs.map((c) => Date.parse(c.validTo)).filter(Number.isFinite);
  if (file === null || dates.length === 0) return null;
  return { which, variable: file.variable, path: file.path, notAfterMs: Math.min(...dates) };
}

export interface ExpiryNotice {
  readonly expired: boolean;
  readonly certificate: CertificateExpiry;
  /** Names the variable, the file and the date (never the file's contents). */
  readonly message: string;
}

/** A notice for each certificate that has expired by `nowMs` or expires within `withinMs` of it. */
export function expiryNotices(certs: readonly CertificateExpiry[], nowMs: number, withinMs: number): ExpiryNotice[] {
  return certs.filter((c) => c.notAfterMs - nowMs <= withinMs).map((c) => expiryNotice(c, nowMs));
}

export function expiryNotice(certificate: CertificateExpiry, nowMs: number): ExpiryNotice {
  const { variable, path, notAfterMs } = certificate;
  const date = new Date(notAfterMs).toISOString();
  if (notAfterMs <= nowMs) {
    return { expired: true, certificate, message: `${variable}: the certificate expired on ${date}; TLS handshakes with it now fail ('${path}')` };
  }
  const days = Math.floor((notAfterMs - nowMs) / DAY_MS);
  const left = days === 0 ? 'in less than a day' : `in ${days} day${days === 1 ? '' : 's'}`;
  return {
    expired: false,
    certificate,
    message: `${variable}: the certificate expires on ${date} (${left}); replace the file and restart the node before then ('${path}')`,
  };
}
