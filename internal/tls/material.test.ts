import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type ExternalTlsConfig, type InternalTlsConfig, type TlsConfig } from '../config/index.js';
import { loadTlsMaterial } from './material.js';
import { canMakeCerts, makeCerts, type CertDir } from './testing/make-certs.js';

const OFF_INTERNAL: InternalTlsConfig = { caPath: null, serverCertPath: null, serverKeyPath: null, clientCertPath: null, clientKeyPath: null };
const OFF_EXTERNAL: ExternalTlsConfig = { caPath: null, serverCertPath: null, serverKeyPath: null, clientAuth: 'none' };

function problemsOf(tls: TlsConfig, nowMs?: number, clusterAdvertise: string | null = null): string[] {
  try {
    loadTlsMaterial(tls, nowMs, clusterAdvertise);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  return [];
}

describe('loadTlsMaterial without paths', () => {
  it('is plaintext on both sides', () => {
    expect(loadTlsMaterial({ internal: OFF_INTERNAL, external: OFF_EXTERNAL })).toEqual({ internal: null, external: null, certificates: [] });
  });

  it('refuses a path that never ends (/dev/zero) instead of reading it until memory runs out', () => {
    const endless = { caPath: '/dev/zero', serverCertPath: '/dev/zero', serverKeyPath: '/dev/zero', clientCertPath: '/dev/zero', clientKeyPath: '/dev/zero' };
    const problems = problemsOf({ internal: endless, external: OFF_EXTERNAL });
    expect(problems[0]).toMatch(/^GOKV_INTERNAL_TLS_\w+: cannot read: larger than \d+ bytes \('\/dev\/zero'\)$/);
  });

  it('refuses an internal side with only some paths', () => {
    const problems = problemsOf({ internal: { ...OFF_INTERNAL, caPath: '/nowhere/ca.pem' }, external: OFF_EXTERNAL });
    expect(problems).toEqual([expect.stringMatching(/needs all five paths; missing GOKV_INTERNAL_TLS_SERVER_CERT_PATH, .*CLIENT_KEY_PATH$/)]);
  });
});

describe.skipIf(!canMakeCerts)('loadTlsMaterial with certs.sh output', () => {
  let certs: CertDir;
  let other: CertDir;
  const internal = (node: string): InternalTlsConfig => ({
    caPath: certs.file('ca.cert.pem'),
    serverCertPath: certs.file(`${node}.cert.pem`),
    serverKeyPath: certs.file(`${node}.key.pem`),
    clientCertPath: certs.file(`${node}.cert.pem`),
    clientKeyPath: certs.file(`${node}.key.pem`),
  });

  beforeAll(() => {
    certs = makeCerts('gokv-material-');
    other = makeCerts('gokv-material-other-', { GOKV_CERT_NODES: 'gokv1' });
  });
  afterAll(() => {
    certs?.remove();
    other?.remove();
  });

  it('reads every file of both sides', () => {
    const external: ExternalTlsConfig = {
      caPath: certs.file('ca.cert.pem'),
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth: 'require',
    };
    const material = loadTlsMaterial({ internal: internal('gokv1'), external });
    expect(material.internal?.serverCert.toString()).toContain('BEGIN CERTIFICATE');
    expect(material.external).toMatchObject({ clientAuth: 'require', ca: expect.any(Buffer) });
  });

  it('reports every bad file at once, naming its variable and path, never its contents', () => {
    const mixed: InternalTlsConfig = {
      ...internal('gokv1'),
      serverKeyPath: certs.file('gokv2.key.pem'),
      clientCertPath: other.file('client.cert.pem'),
      clientKeyPath: other.file('client.key.pem'),
    };
    const external: ExternalTlsConfig = { ...OFF_EXTERNAL, serverCertPath: '/nowhere/ext.pem', serverKeyPath: certs.file('ca.cert.pem') };
    const problems = problemsOf({ internal: mixed, external });
    expect(problems).toEqual([
      `GOKV_INTERNAL_TLS_SERVER_KEY_PATH: does not match the certificate in '${certs.file('gokv1.cert.pem')}' ('${certs.file('gokv2.key.pem')}')`,
      `GOKV_INTERNAL_TLS_CLIENT_CERT_PATH: is not a certificate for serverAuth (its extended key usage) ('${other.file('client.cert.pem')}')`,
      `GOKV_INTERNAL_TLS_CLIENT_CERT_PATH: was not issued by the CA in '${certs.file('ca.cert.pem')}' ('${other.file('client.cert.pem')}')`,
      `GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: cannot read: file not found ('/nowhere/ext.pem')`,
      `GOKV_EXTERNAL_TLS_SERVER_KEY_PATH: is not an unencrypted PEM private key ('${certs.file('ca.cert.pem')}')`,
    ]);
    expect(problems.join('\n')).not.toMatch(/BEGIN|PRIVATE/);
  });

  it('says which file is not a key or not a certificate', () => {
    const swapped = { ...internal('gokv1'), serverCertPath: certs.file('gokv1.key.pem'), serverKeyPath: certs.file('gokv1.cert.pem') };
    expect(problemsOf({ internal: swapped, external: OFF_EXTERNAL })).toEqual([
      expect.stringMatching(/^GOKV_INTERNAL_TLS_SERVER_CERT_PATH: holds no PEM certificate/),
      expect.stringMatching(/^GOKV_INTERNAL_TLS_SERVER_KEY_PATH: is not an unencrypted PEM private key/),
    ]);
  });

  it('refuses expired certificates', () => {
    const in3000 = Date.parse('3000-01-01T00:00:00Z');
    expect(problemsOf({ internal: internal('gokv3'), external: OFF_EXTERNAL }, in3000)).toContainEqual(
      expect.stringMatching(/^GOKV_INTERNAL_TLS_CA_PATH: holds a certificate that expired on /),
    );
  });

  it('refuses client auth without a CA to verify clients', () => {
    const external: ExternalTlsConfig = {
      caPath: null,
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth: 'require',
    };
    expect(problemsOf({ internal: OFF_INTERNAL, external })).toEqual([
      'GOKV_EXTERNAL_TLS_CLIENT_AUTH: require needs GOKV_EXTERNAL_TLS_CA_PATH to verify client certificates',
    ]);
  });

  it('checks what each certificate is for: nodes need serverAuth and clientAuth, servers serverAuth', () => {
    const appAsNode = { ...internal('gokv1'), clientCertPath: certs.file('client.cert.pem'), clientKeyPath: certs.file('client.key.pem') };
    const clientAsServer: ExternalTlsConfig = { ...OFF_EXTERNAL, serverCertPath: certs.file('client.cert.pem'), serverKeyPath: certs.file('client.key.pem') };
    expect(problemsOf({ internal: appAsNode, external: clientAsServer })).toEqual([
      `GOKV_INTERNAL_TLS_CLIENT_CERT_PATH: is not a certificate for serverAuth (its extended key usage) ('${certs.file('client.cert.pem')}')`,
      `GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: is not a certificate for serverAuth (its extended key usage) ('${certs.file('client.cert.pem')}')`,
    ]);
    const externalAsNodeClient = { ...internal('gokv1'), clientCertPath: certs.file('external.cert.pem'), clientKeyPath: certs.file('external.key.pem') };
    expect(problemsOf({ internal: externalAsNodeClient, external: OFF_EXTERNAL })).toEqual([
      `GOKV_INTERNAL_TLS_CLIENT_CERT_PATH: is not a certificate for clientAuth (its extended key usage) ('${certs.file('external.cert.pem')}')`,
    ]);
  });

  it.each([
    ['127.0.0.1:7946', true],
    ['[::1]:7946', true],
    ['gokv1:7946', true],
    ['0.0.0.0:7946', true], // a wildcard is no host to check
    ['127.0.0.2:7946', false],
    ['gokv2:7946', false],
  ])('checks that the internal server certificate names the advertised host %s', (advertise, ok) => {
    const problems = problemsOf({ internal: internal('gokv1'), external: OFF_EXTERNAL }, undefined, advertise);
    if (ok) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(/^GOKV_INTERNAL_TLS_SERVER_CERT_PATH: does not name .+, the host peers dial \(GOKV_CLUSTER_ADVERTISE_ADDR\); its names: DNS:gokv1, /)]);
  });

  it('refuses a CA file holding only a certificate that is not a CA (a leaf given in place of the CA)', () => {
    const external: ExternalTlsConfig = {
      caPath: certs.file('client.cert.pem'),
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth: 'require',
    };
    const leafAsCa = { ...internal('gokv1'), caPath: certs.file('gokv1.cert.pem') };
    const problems = problemsOf({ internal: leafAsCa, external });
    const noCa = (variable: string, file: string, cn: string) =>
      `${variable}: holds no CA certificate (the first is 'O=gokv, CN=${cn}', a certificate that is not a CA and not self-signed), so it cannot verify any peer; give the CA that issued the certificates (certs.sh: certs/ca.cert.pem) ('${certs.file(`${file}.cert.pem`)}')`;
    // The node's own certificate as its CA passes the chain check (it is that certificate), yet
    // verifies no peer: only the anchor check catches it.
    expect(problems).toEqual([noCa('GOKV_INTERNAL_TLS_CA_PATH', 'gokv1', 'gokv1'), noCa('GOKV_EXTERNAL_TLS_CA_PATH', 'client', 'gokv-client')]);
  });

  it('accepts a CA file with a leaf beside the CA, and a self-signed certificate pinned as its own CA', () => {
    const bundle = join(certs.dir, 'leaf-and-ca.pem');
    writeFileSync(bundle, Buffer.concat([readFileSync(certs.file('client.cert.pem')), readFileSync(certs.file('ca.cert.pem'))]));
    const external = (caPath: string): ExternalTlsConfig => ({
      caPath,
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth: 'require',
    });
    expect(problemsOf({ internal: OFF_INTERNAL, external: external(bundle) })).toEqual([]);
    // certs.sh's CA is self-signed and a CA; a self-signed leaf (CA:FALSE) is made here.
    const selfSigned = join(certs.dir, 'self-signed.cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=pinned',
      '-keyout', join(certs.dir, 'self-signed.key.pem'), '-out', selfSigned, '-addext', 'basicConstraints=critical,CA:FALSE',
    ], { stdio: 'pipe' });
    expect(problemsOf({ internal: OFF_INTERNAL, external: external(selfSigned) })).toEqual([]);
  });

  it('accepts a certificate file holding the chain up to the CA', () => {
    const chain = join(certs.dir, 'gokv1.chain.pem');
    writeFileSync(chain, Buffer.concat([readFileSync(certs.file('gokv1.cert.pem')), readFileSync(certs.file('ca.cert.pem'))]));
    const paths = { ...internal('gokv1'), serverCertPath: chain, clientCertPath: chain };
    expect(problemsOf({ internal: paths, external: OFF_EXTERNAL })).toEqual([]);
  });
});
