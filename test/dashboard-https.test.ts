// The dashboard is served by the REST listener, so HTTPS and client-certificate rules are the REST
// API's: with `require`, the page and its data need a certificate from the CA.
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { canMakeCerts, makeCerts, type CertDir } from '../internal/tls/testing/make-certs.js';

describe.skipIf(!canMakeCerts)('the dashboard over HTTPS with required client certificates', () => {
  let certs: CertDir;
  let node: GokvNode;

  beforeAll(async () => {
    certs = makeCerts('gokv-dashboard-https-');
    node = await startNode(
      testConfig({
        node: { id: 'https-node' },
        tls: {
          external: {
            caPath: certs.file('ca.cert.pem'),
            serverCertPath: certs.file('external.cert.pem'),
            serverKeyPath: certs.file('external.key.pem'),
            clientAuth: 'require',
          },
        },
      }),
      { log: silentLogger() },
    );
  });

  afterAll(async () => {
    await node?.stop({ leave: false });
    certs?.remove();
  });

  function get(path: string, withCert: boolean): Promise<{ status: number; type: string; body: string }> {
    const [host, port] = node.addresses.rest!.split(':');
    return new Promise((resolve, reject) => {
      const req = https.get(
        {
          host,
          port: Number(port),
          path,
          ca: readFileSync(certs.file('ca.cert.pem')),
          ...(withCert ? { cert: readFileSync(certs.file('client.cert.pem')), key: readFileSync(certs.file('client.key.pem')) } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        },
      );
      req.on('error', reject);
    });
  }

  it.each([
    ['/', /^text\/html/, 'dashboard/app.js'],
    ['/dashboard/app.js', /^text\/javascript/, 'v1/cluster'],
    ['/v1/cluster', /^application\/json/, '"figures"'],
    ['/v1/ring', /^application\/json/, '"vnodes"'],
    ['/v1/explain?key=k', /^application\/json/, '"leader":"https-node"'],
  ])('serves %s to a client with a certificate', async (path, type, content) => {
    const res = await get(path, true);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(type);
    expect(res.body).toContain(content);
  });

  it.each(['/', '/v1/explain?key=k'])('refuses %s without a certificate, in the handshake', async (path) => {
    await expect(get(path, false)).rejects.toThrow();
  });
});
