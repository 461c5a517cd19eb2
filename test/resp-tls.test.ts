import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, type ClientAuth } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { canMakeCerts, makeCerts, type CertDir } from '../internal/tls/testing/make-certs.js';

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describe.skipIf(!canMakeCerts)('the RESP port with external TLS', () => {
  let certs: CertDir;
  const nodes = new Map<ClientAuth, GokvNode>();

  beforeAll(async () => {
    certs = makeCerts('gokv-resp-tls-');
    for (const clientAuth of ['require', 'none'] as const) {
      const config = testConfig({
        node: { id: `resp-tls-${clientAuth}` },
        tls: {
          external: {
            caPath: certs.file('ca.cert.pem'),
            serverCertPath: certs.file('external.cert.pem'),
            serverKeyPath: certs.file('external.key.pem'),
            clientAuth,
          },
        },
      });
      nodes.set(clientAuth, await startNode(config, { log: silentLogger() }));
    }
  });

  afterAll(async () => {
    await Promise.all([...nodes.values()].map((n) => n.stop({ leave: false })));
    certs?.remove();
  });

  const client = (clientAuth: ClientAuth, withCert: boolean) =>
    new Redis({
      host: '127.0.0.1',
      port: portOf(nodes.get(clientAuth)!.addresses.resp!),
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      lazyConnect: true,
      tls: {
        ca: readFileSync(certs.file('ca.cert.pem')),
        servername: 'localhost',
        ...(withCert ? { cert: readFileSync(certs.file('client.cert.pem')), key: readFileSync(certs.file('client.key.pem')) } : {}),
      },
    });

  it('serves a client with a certificate from the CA when client auth is required', async () => {
    const redis = client('require', true);
    await redis.connect();
    expect(await redis.set('tls:k', Buffer.from([0xff, 0x00]))).toBe('OK');
    expect(await redis.getBuffer('tls:k')).toEqual(Buffer.from([0xff, 0x00]));
    redis.disconnect();
  });

  it('refuses a client without a certificate in the handshake: no command runs', async () => {
    const sizeBefore = nodes.get('require')!.store.size;
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: portOf(nodes.get('require')!.addresses.resp!),
      ca: readFileSync(certs.file('ca.cert.pem')),
      servername: 'localhost',
    });
    socket.on('secureConnect', () => socket.write('*3\r\n$3\r\nSET\r\n$4\r\nsnuk\r\n$1\r\nv\r\n'));
    const outcome = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('error', (err) => resolve(`error: ${err.message}`));
      socket.on('close', () => resolve(`closed: ${data}`));
    });
    expect(outcome).toMatch(/certificate|alert|closed: $/i);
    expect(nodes.get('require')!.store.size).toBe(sizeBefore);
    expect(nodes.get('require')!.store.peek('snuk')).toBeUndefined();
  });

  it('refuses plaintext RESP on the TLS port', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: portOf(nodes.get('none')!.addresses.resp!), maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, connectTimeout: 2000 });
    redis.on('error', () => undefined);
    const reply = redis.connect().then(() => redis.ping());
    await expect(reply).rejects.toThrow();
    redis.disconnect();
  });

  // Found by a review: a TCP connection closed before its handshake (a port scan, a TCP health
  // check) stayed open on the node for good, and the node's stop then waited on it forever.
  it.each([
    ['closed at once', Buffer.alloc(0)],
    ['closed halfway through a ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])],
  ])('closes a connection its client %s, before any handshake', async (_name, sent) => {
    const socket = netConnect(portOf(nodes.get('require')!.addresses.resp!), '127.0.0.1');
    socket.on('connect', () => socket.end(sent)); // half-closed: it can still read
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve)); // the node closed its side
  }, 5_000); // well before the handshake timeout (10 s), which would close it too

  it('still answers a served client that ends its side right after its commands', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: portOf(nodes.get('require')!.addresses.resp!),
      ca: readFileSync(certs.file('ca.cert.pem')),
      cert: readFileSync(certs.file('client.cert.pem')),
      key: readFileSync(certs.file('client.key.pem')),
      servername: 'localhost',
    });
    // KEYS answers on a later turn of the event loop, after the node may have read the end of stream.
    socket.on('secureConnect', () => socket.end('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nKEYS\r\n$6\r\nnone:*\r\n'));
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(data).toBe('+PONG\r\n*0\r\n');
  });

  it('stops while a client that never starts its handshake is connected', async () => {
    const config = testConfig({
      node: { id: 'resp-tls-idle' },
      tls: { external: { caPath: certs.file('ca.cert.pem'), serverCertPath: certs.file('external.cert.pem'), serverKeyPath: certs.file('external.key.pem') } },
    });
    const node = await startNode(config, { log: silentLogger() });
    const idle = netConnect(portOf(node.addresses.resp!), '127.0.0.1');
    idle.on('error', () => undefined);
    await new Promise((resolve) => idle.once('connect', resolve));
    const closed = new Promise((resolve) => idle.once('close', resolve));
    await node.stop({ leave: false });
    await closed;
  });

  it('serves a client without a certificate when client auth is none', async () => {
    const redis = client('none', false);
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });
});
