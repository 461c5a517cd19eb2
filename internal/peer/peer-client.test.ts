import * as grpc from '@grpc/grpc-js';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerClient } from './peer-client.js';

// A peer that accepts TCP and never answers the HTTP/2 handshake keeps a grpc-js channel
// CONNECTING for as long as it likes, as a SYN lost to a partition does: the case the
// connect watchdog exists for.

let server: Server | undefined;
let client: PeerClient | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  client?.close();
  client = undefined;
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function silentPeer(): Promise<{ addr: string; connections: () => number }> {
  let count = 0;
  server = createServer((socket) => {
    count++;
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server!.listen(0, '127.0.0.1', () => {
      const { port } = server!.address() as { port: number };
      resolve({ addr: `127.0.0.1:${port}`, connections: () => count });
    });
  });
}

describe('PeerClient connect watchdog', () => {
  it('replaces a channel that stays connecting, so the peer is dialled again', async () => {
    const peer = await silentPeer();
    client = new PeerClient(peer.addr, grpc.credentials.createInsecure(), {
      timeoutMs: 10_000,
      maxMessageBytes: 1 << 20,
      maxForwardBatch: 16,
      connectTimeoutMs: 200,
    });
    // The first call starts the connection, which cannot complete against a silent peer. When
    // the channel is replaced the call fails as a transport error instead of hanging to its deadline.
    const first = await client.heartbeat('self', []).catch((err: unknown) => err);
    expect((first as Error).message).toMatch(/Channel closed before call started/);
    // The next call goes out on the new channel, which dials the peer afresh.
    const second = client.heartbeat('self', []).catch((err: unknown) => err);
    await vi.waitFor(() => expect(peer.connections()).toBe(2), { timeout: 10_000, interval: 20 });
    expect(await second).toBeInstanceOf(Error);
  });
});
