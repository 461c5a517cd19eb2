import { connect, createServer, type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countPeerMessages, type PeerMessageCounter } from './peer-messages.js';
import { peerMessagesPerOp, type HookSample } from './runner.js';

let counter: PeerMessageCounter | undefined;
let server: Http2Server | undefined;
let client: ClientHttp2Session | undefined;

afterEach(async () => {
  counter?.restore();
  client?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  counter = undefined;
  server = undefined;
  client = undefined;
});

/** Opens a request on `path` and writes `messages` chunks on it, then ends it. */
function send(session: ClientHttp2Session, path: string, messages: number): Promise<void> {
  const stream = session.request({ ':method': 'POST', ':path': path });
  for (let i = 0; i < messages; i++) stream.write(Buffer.from([i]));
  stream.end();
  stream.resume();
  return new Promise((resolve) => stream.on('close', () => resolve()));
}

describe('the peer message counter', () => {
  it('counts writes on Forward and Replicate client streams only', async () => {
    server = createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.resume();
      stream.on('end', () => stream.end());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    counter = countPeerMessages();
    client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await send(client, '/internalpb.InternalServer/Forward', 3);
    await send(client, '/internalpb.InternalServer/Replicate', 5);
    await send(client, '/internalpb.InternalServer/Heartbeat', 7);
    await send(client, '/externalpb.ExternalServer/StreamCommand', 2);
    expect(counter.sent).toEqual({ forward: 3, replicate: 5 });
  });

  it('per operation: the growth over every process, null for one process or a missing sample', () => {
    const at = (forward: number, replicate: number): HookSample => ({ idle: 0, active: 0, loopDelayP99Ms: null, peerMessages: { forward, replicate } });
    expect(peerMessagesPerOp([at(10, 20), at(0, 0), at(5, 5)], [at(20, 40), at(10, 10), at(5, 25)], 100)).toBeCloseTo(0.7);
    expect(peerMessagesPerOp([at(0, 0)], [at(10, 10)], 100)).toBeNull();
    expect(peerMessagesPerOp([at(0, 0), undefined], [at(10, 10), at(1, 1)], 100)).toBeNull();
    expect(peerMessagesPerOp([at(0, 0), at(0, 0)], [at(10, 10), at(1, 1)], 0)).toBeNull();
  });
});
