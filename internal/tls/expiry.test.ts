import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsConfig } from '../config/index.js';
import { EXPIRY_URGENT_DAYS, EXPIRY_WARNING_DAYS, expiryNotices, type CertificateExpiry } from './expiry.js';
import { loadTlsMaterial } from './material.js';
import { canMakeCerts, makeCerts, type CertDir } from './testing/make-certs.js';

const DAY_MS = 86_400_000;

describe.skipIf(!canMakeCerts)('certificate expiry with short-lived certificates from certs.sh', () => {
  let certs: CertDir;
  let madeAtMs: number;
  const tls = (serverCertPath = certs.file('gokv1.cert.pem')): TlsConfig => ({
    internal: {
      caPath: certs.file('ca.cert.pem'),
      serverCertPath,
      serverKeyPath: certs.file('gokv1.key.pem'),
      clientCertPath: certs.file('gokv1.cert.pem'),
      clientKeyPath: certs.file('gokv1.key.pem'),
    },
    external: {
      caPath: certs.file('ca.cert.pem'),
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth: 'require',
    },
  });
  // Leaves valid 10 days, the CA 20: all expire within EXPIRY_WARNING_DAYS.
  const certificates = (nowMs = madeAtMs, config = tls()): readonly CertificateExpiry[] => loadTlsMaterial(config, nowMs).certificates;

  beforeAll(() => {
    certs = makeCerts('gokv-expiry-', { GOKV_CERT_NODES: 'gokv1', GOKV_CERT_DAYS: '10', GOKV_CERT_CA_DAYS: '20' });
    // A second past the making, so every certificate has a little less than its days left.
    madeAtMs = Date.now() + 1000;
  });
  afterAll(() => certs?.remove());

  it('gives the notAfter of every configured file, with its role, variable and path', () => {
    const near = (days: number) => expect.toSatisfy((ms: number) => Math.abs(ms - (madeAtMs + days * DAY_MS)) < 5 * 60_000);
    expect(certificates()).toEqual([
      { which: 'internal_server', variable: 'GOKV_INTERNAL_TLS_SERVER_CERT_PATH', path: certs.file('gokv1.cert.pem'), notAfterMs: near(10) },
      { which: 'internal_client', variable: 'GOKV_INTERNAL_TLS_CLIENT_CERT_PATH', path: certs.file('gokv1.cert.pem'), notAfterMs: near(10) },
      { which: 'internal_ca', variable: 'GOKV_INTERNAL_TLS_CA_PATH', path: certs.file('ca.cert.pem'), notAfterMs: near(20) },
      { which: 'external_server', variable: 'GOKV_EXTERNAL_TLS_SERVER_CERT_PATH', path: certs.file('external.cert.pem'), notAfterMs: near(10) },
      { which: 'external_ca', variable: 'GOKV_EXTERNAL_TLS_CA_PATH', path: certs.file('ca.cert.pem'), notAfterMs: near(20) },
    ]);
  });

  it('takes the earliest date of a chain file, not the leaf\'s', () => {
    // A CA that expires before the certificates it signed: the chain breaks with the CA.
    const shortCa = makeCerts('gokv-expiry-short-ca-', { GOKV_CERT_NODES: 'gokv1', GOKV_CERT_DAYS: '10', GOKV_CERT_CA_DAYS: '5' });
    try {
      const chain = join(shortCa.dir, 'gokv1.chain.pem');
      writeFileSync(chain, Buffer.concat([readFileSync(shortCa.file('gokv1.cert.pem')), readFileSync(shortCa.file('ca.cert.pem'))]));
      const internal = {
        caPath: shortCa.file('ca.cert.pem'),
        serverCertPath: chain,
        serverKeyPath: shortCa.file('gokv1.key.pem'),
        clientCertPath: shortCa.file('gokv1.cert.pem'),
        clientKeyPath: shortCa.file('gokv1.key.pem'),
      };
      const [server, client] = certificates(madeAtMs, { internal, external: tls().external });
      expect(server!.notAfterMs).toBeLessThan(client!.notAfterMs - 4 * DAY_MS);
    } finally {
      shortCa.remove();
    }
  });

  it(`warns at start about each certificate within ${EXPIRY_WARNING_DAYS} days, naming the variable, the file and the date`, () => {
    const notices = expiryNotices(certificates(), madeAtMs, EXPIRY_WARNING_DAYS * DAY_MS);
    expect(notices).toHaveLength(5);
    expect(notices.every((n) => !n.expired)).toBe(true);
    const serverDate = new Date(certificates()[0]!.notAfterMs).toISOString();
    expect(notices[0]!.message).toBe(
      `GOKV_INTERNAL_TLS_SERVER_CERT_PATH: the certificate expires on ${serverDate} (in 9 days); replace the file and restart the node before then ('${certs.file('gokv1.cert.pem')}')`,
    );
    expect(notices.map((n) => n.message).join('\n')).not.toMatch(/BEGIN|PRIVATE/);
  });

  it('has nothing to say about certificates further away than the window', () => {
    expect(expiryNotices(certificates(), madeAtMs, EXPIRY_URGENT_DAYS * DAY_MS)).toEqual([]);
    expect(expiryNotices(certificates(), madeAtMs - 30 * DAY_MS, EXPIRY_WARNING_DAYS * DAY_MS)).toEqual([]);
  });

  it('says a certificate whose time has passed now fails handshakes', () => {
    const later = madeAtMs + 15 * DAY_MS;
    const notices = expiryNotices(certificates(), later, EXPIRY_URGENT_DAYS * DAY_MS);
    expect(notices.map((n) => [n.certificate.which, n.expired])).toEqual([
      ['internal_server', true],
      ['internal_client', true],
      ['internal_ca', false],
      ['external_server', true],
      ['external_ca', false],
    ]);
    expect(notices[0]!.message).toMatch(/^GOKV_INTERNAL_TLS_SERVER_CERT_PATH: the certificate expired on \S+; TLS handshakes with it now fail \('.+gokv1\.cert\.pem'\)$/);
    expect(notices[2]!.message).toMatch(/\(in 4 days\)/);
  });
});
