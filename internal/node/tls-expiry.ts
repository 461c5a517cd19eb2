/**
 * Warnings ahead of a TLS certificate's expiry. The files are read once, at start: a certificate
 * that expires while the node runs makes every new handshake with it fail at that moment (peers
 * cannot reconnect, clients are refused), so operators are told at start, daily in the last days,
 * and once when it happens. The dates are also exported as a metric (ops-surface.ts).
 */
import type { Clock } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import { EXPIRY_URGENT_DAYS, EXPIRY_WARNING_DAYS, expiryNotice, expiryNotices, type CertificateExpiry, type ExpiryNotice } from '../tls/index.js';

const DAY_MS = 86_400_000;

/** At start: one warning per certificate that expires within EXPIRY_WARNING_DAYS. */
export function warnOfExpiringCertificates(certificates: readonly CertificateExpiry[], nowMs: number, log: Logger): void {
  for (const notice of expiryNotices(certificates, nowMs, EXPIRY_WARNING_DAYS * DAY_MS)) report(notice, log);
}

/**
 * While running: once a day a warning per certificate that expires within EXPIRY_URGENT_DAYS, and
 * an error line when one expires (checked at its notAfter, not up to a day later). The Clock's
 * timers never keep the process alive. Returns stop().
 */
export function startCertificateExpiryWatch(certificates: readonly CertificateExpiry[], clock: Clock, log: Logger): () => void {
  if (certificates.length === 0) return () => undefined;
  // Certificates expired at start were refused by the loader; the start warning covers day one.
  let lastCheckMs = clock.now();
  let nextDailyMs = lastCheckMs + DAY_MS;
  let stopped = false;
  const schedule = () => {
    const now = clock.now();
    const nextExpiryMs = Math.min(...certificates.map((c) => c.notAfterMs).filter((ms) => ms > now));
    return clock.setTimeout(check, Math.max(1, Math.min(nextDailyMs, nextExpiryMs) - now));
  };
  const check = () => {
    const now = clock.now();
    for (const c of certificates) if (c.notAfterMs > lastCheckMs && c.notAfterMs <= now) report(expiryNotice(c, now), log);
    if (now >= nextDailyMs) {
      for (const notice of expiryNotices(certificates, now, EXPIRY_URGENT_DAYS * DAY_MS)) if (!notice.expired) report(notice, log);
      nextDailyMs = now + DAY_MS;
    }
    lastCheckMs = now;
    if (!stopped) timer = schedule();
  };
  let timer = schedule();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}

function report({ expired, certificate, message }: ExpiryNotice, log: Logger): void {
  const fields = { variable: certificate.variable, path: certificate.path, notAfter: new Date(certificate.notAfterMs).toISOString() };
  if (expired) log.error(fields, message);
  else log.warn(fields, message);
}
