import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifyAnswer, probeProtocol } from './protocol-probe.js';

describe('classifyAnswer', () => {
  it.each([
    ['HTTP/1.1 400 Bad Request\r\n', 'http'],
    ['+PONG\r\n', 'resp'],
    ['-NOAUTH Authentication required.\r\n', 'resp'],
    ['SSH-2.0-OpenSSH_9.2\r\n', undefined],
    ['', undefined],
  ])('%j is %s', (head, expected) => {
    expect(classifyAnswer(head)).toBe(expected);
  });
});

describe('probeProtocol', () => {
  it('sends one PING and reads the first line', async () => {
    const received: string[] = [];
    const server = createServer((socket) => socket.once('data', (d) => (received.push(d.toString()), socket.end('+PONG\r\n'))));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      expect(await probeProtocol(`127.0.0.1:${(server.address() as AddressInfo).port}`, undefined)).toBe('resp');
      expect(received).toEqual(['PING\r\n']);
    } finally {
      server.close();
    }
  });

  it('gives up on a silent port within its timeout, and on an address it cannot parse', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      expect(await probeProtocol(`127.0.0.1:${(server.address() as AddressInfo).port}`, undefined, 100)).toBeUndefined();
      expect(await probeProtocol('unix:/tmp/none.sock', undefined)).toBeUndefined();
    } finally {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    }
  });
});
