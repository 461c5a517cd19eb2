import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientAuth } from '../config/index.js';
import {
  externalServerCredentials,
  internalChannelCredentials,
  internalServerCredentials,
} from './grpc-credentials.js';
import type { ExternalTlsMaterial, InternalTlsMaterial } from './material.js';
import { canMakeCerts, makeCerts, type CertDir } from './testing/make-certs.js';

// A one-method service that answers whether the caller's certificate verified.
const raw = (b: Buffer) => b;
const WHO = {
  whoami: {
    path: '/gokv.test.Probe/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
} satisfies grpc.ServiceDefinition;
const ProbeClient = grpc.makeGenericClientConstructor(WHO, 'Probe');
type Probe = grpc.Client & {
  whoami(request: Buffer, options: grpc.CallOptions, done: (err: grpc.ServiceError | null, res?: Buffer) => void): void;
};

describe.skipIf(!canMakeCerts)('grpc credentials from certs.sh output', () => {
  let certs: CertDir;
  let other: CertDir;
  let server: grpc.Server | undefined;
  let calls = 0;
  const clients: grpc.Client[] = [];
  const pem = (dir: CertDir, name: string) => readFileSync(dir.file(name));

  const internalOf = (dir: CertDir, node: string): InternalTlsMaterial => ({
    ca: pem(dir, 'ca.cert.pem'),
    serverCert: pem(dir, `${node}.cert.pem`),
    serverKey: pem(dir, `${node}.key.pem`),
    clientCert: pem(dir, `${node}.cert.pem`),
    clientKey: pem(dir, `${node}.key.pem`),
  });
  const externalOf = (clientAuth: ClientAuth): ExternalTlsMaterial => ({
    ca: pem(certs, 'ca.cert.pem'),
    cert: pem(certs, 'external.cert.pem'),
    key: pem(certs, 'external.key.pem'),
    clientAuth,
  });

  async function serve(credentials: grpc.ServerCredentials, host = '127.0.0.1'): Promise<number> {
    server = new grpc.Server();
    server.addService(WHO, {
      whoami: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
        calls++;
        done(null, Buffer.from(String(call.getAuthContext().sslPeerCertificate?.subject.CN ?? 'anonymous')));
      },
    });
    return new Promise((resolve, reject) =>
      server!.bindAsync(`${host}:0`, credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
  }

  function whoami(target: string, credentials: grpc.ChannelCredentials): Promise<string> {
    const client = new ProbeClient(target, credentials) as unknown as Probe;
    clients.push(client);
    return new Promise((resolve, reject) => {
      client.whoami(Buffer.alloc(0), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res!.toString())));
    });
  }

  const clientCreds = (dir: CertDir | null, withCert = true) =>
    grpc.credentials.createSsl(
      pem(certs, 'ca.cert.pem'),
      dir && withCert ? pem(dir, 'client.key.pem') : null,
      dir && withCert ? pem(dir, 'client.cert.pem') : null,
    );

  beforeAll(() => {
    certs = makeCerts('gokv-grpc-creds-');
    other = makeCerts('gokv-grpc-creds-other-', { GOKV_CERT_NODES: 'gokv1' });
  });
  afterAll(() => {
    certs?.remove();
    other?.remove();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    server?.forceShutdown();
    server = undefined;
    calls = 0;
  });

  it('internal: nodes with their own certificates talk over 127.0.0.1 (IP SAN), each verifying the other', async () => {
    const port = await serve(internalServerCredentials(internalOf(certs, 'gokv2')));
    expect(await whoami(`127.0.0.1:${port}`, internalChannelCredentials(internalOf(certs, 'gokv1')))).toBe('gokv1');
  });

  it('internal: verifies the peer by the address dialled, not by any name of the dialler', async () => {
    // gokv2's certificate covers 127.0.0.1 but not 127.0.0.2, although both reach it.
    const port = await serve(internalServerCredentials(internalOf(certs, 'gokv2')), '0.0.0.0');
    await expect(whoami(`127.0.0.2:${port}`, internalChannelCredentials(internalOf(certs, 'gokv1')))).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: expect.stringMatching(/IP: 127\.0\.0\.2 is not in the cert's list/),
    });
    expect(calls).toBe(0);
  });

  it('internal: refuses a peer whose certificate another CA signed, before any call', async () => {
    const port = await serve(internalServerCredentials(internalOf(certs, 'gokv2')));
    const stranger = { ...internalOf(other, 'gokv1'), ca: pem(certs, 'ca.cert.pem') };
    await expect(whoami(`127.0.0.1:${port}`, internalChannelCredentials(stranger))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toBe(0);
  });

  it.each([
    // clientAuth, client certificate from, expected answer (or a refusal)
    ['none', 'certs', 'anonymous'],
    ['none', null, 'anonymous'],
    ['request', 'certs', 'gokv-client'],
    ['request', null, 'anonymous'],
    ['request', 'other', 'anonymous'],
    ['require', 'certs', 'gokv-client'],
    ['require', null, 'refused'],
    ['require', 'other', 'refused'],
  ] as const)('external %s with a client certificate from %s: %s', async (clientAuth, from, expected) => {
    const port = await serve(externalServerCredentials(externalOf(clientAuth)));
    const dir = from === 'certs' ? certs : from === 'other' ? other : null;
    const answer = whoami(`localhost:${port}`, clientCreds(dir));
    if (expected === 'refused') {
      await expect(answer).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      expect(calls).toBe(0);
    } else {
      expect(await answer).toBe(expected);
    }
  });

  it('external: refuses a plaintext client of a TLS server', async () => {
    const port = await serve(externalServerCredentials(externalOf('none')));
    await expect(whoami(`127.0.0.1:${port}`, grpc.credentials.createInsecure())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toBe(0);
  });
});
