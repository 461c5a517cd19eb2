import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type ClientAuth, type TlsConfig } from '../config/index.js';
import { externalHttpsOptions } from './https-options.js';
import { canMakeCerts, makeCerts, type CertDir } from './testing/make-certs.js';

const OFF: TlsConfig = {
  internal: { caPath: null, serverCertPath: null, serverKeyPath: null, clientCertPath: null, clientKeyPath: null },
  external: { caPath: null, serverCertPath: null, serverKeyPath: null, clientAuth: 'none' },
};

describe('externalHttpsOptions', () => {
  it('is null while external TLS is off, without reading any internal file', () => {
    const internalOnly = { ...OFF, internal: { ...OFF.internal, caPath: '/nowhere/ca.pem' } };
    expect(externalHttpsOptions({ tls: internalOnly })).toBeNull();
  });

  it('names the variable and path of a missing file', () => {
    const tls = { ...OFF, external: { ...OFF.external, serverCertPath: '/nowhere/c.pem', serverKeyPath: '/nowhere/k.pem' } };
    expect(() => externalHttpsOptions({ tls })).toThrow(ConfigError);
    expect(() => externalHttpsOptions({ tls })).toThrow(/GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: cannot read: file not found \('\/nowhere\/c.pem'\)/);
  });
});

describe.skipIf(!canMakeCerts)('externalHttpsOptions on a real https server', () => {
  let certs: CertDir;
  let other: CertDir;
  let server: https.Server | undefined;
  let requests = 0;

  const tlsFor = (clientAuth: ClientAuth): TlsConfig => ({
    ...OFF,
    external: {
      caPath: certs.file('ca.cert.pem'),
      serverCertPath: certs.file('external.cert.pem'),
      serverKeyPath: certs.file('external.key.pem'),
      clientAuth,
    },
  });

  async function serve(clientAuth: ClientAuth): Promise<number> {
    const options = externalHttpsOptions({ tls: tlsFor(clientAuth) })!;
    server = https.createServer(options, (req, res) => {
      requests++;
      res.end((req.socket as tls.TLSSocket).authorized ? 'verified' : 'anonymous');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  function get(port: number, from: CertDir | null): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: readFileSync(certs.file('ca.cert.pem')),
          ...(from ? { cert: readFileSync(from.file('client.cert.pem')), key: readFileSync(from.file('client.key.pem')) } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
    });
  }

  beforeAll(() => {
    certs = makeCerts('gokv-https-');
    other = makeCerts('gokv-https-other-', { GOKV_CERT_NODES: 'gokv1' });
  });
  afterAll(() => {
    certs?.remove();
    other?.remove();
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    requests = 0;
  });

  it.each([
    ['none', 'certs', 'anonymous'],
    ['request', 'certs', 'verified'],
    ['request', null, 'anonymous'],
    ['request', 'other', 'anonymous'],
    ['require', 'certs', 'verified'],
  ] as const)('%s with a client certificate from %s answers %s', async (clientAuth, from, expected) => {
    const port = await serve(clientAuth);
    expect(await get(port, from === 'certs' ? certs : from === 'other' ? other : null)).toBe(expected);
  });

  // Without a certificate OpenSSL answers with a TLS alert; a certificate that does not verify is
  // refused by Node right after the handshake, before the server sees a connection: it closes.
  it.each([
    [null, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
    ['other', 'closed without an alert'],
  ] as const)('require refuses a client certificate from %s in the TLS handshake', async (from, alert) => {
    const port = await serve('require');
    const dir = from === 'other' ? other : null;
    await expect(get(port, dir)).rejects.toThrow();
    expect(await handshake(port, dir)).toBe(alert);
    expect(requests).toBe(0);
  });

  /** A bare TLS connection: resolves with the error code the server's alert produced. */
  function handshake(port: number, from: CertDir | null): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ca: readFileSync(certs.file('ca.cert.pem')),
        ...(from ? { cert: readFileSync(from.file('client.cert.pem')), key: readFileSync(from.file('client.key.pem')) } : {}),
      });
      socket.resume(); // read, so that an alert sent after the client's Finished arrives
      socket.on('close', () => resolve('closed without an alert'));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        socket.destroy();
        resolve(err.code ?? err.message);
      });
    });
  }
});
