import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { loadProtos } from '../internal/wire/index.js';
import { keyLedBy, startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';

// limits.max_client_memory is one budget for a node's RESP connections and StreamCommand
// streams: a stream whose replies wait for a client that does not read counts toward it. The
// replies that pile up are forwarded ones (a local reply is produced only while the stream has
// room), so the stream goes to a node that does not lead the key.

let cluster: InProcessCluster;

beforeAll(async () => {
  // Patient failure detection: a loaded machine must not fail the forwards this test needs.
  const messaging = { heartbeatIntervalMs: 100, suspectAfterMs: 3_000, deadAfterMs: 6_000, forgetDeadAfterMs: 60_000, messageTimeoutMs: 10_000 };
  cluster = await startCluster(2, { cluster: { replicas: 0 }, messaging, limits: { maxClientMemory: 2 * 1024 * 1024, maxValueBytes: 1024 * 1024 } });
});

afterAll(async () => {
  await cluster?.stop();
});

const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe('limits.max_client_memory over StreamCommand', () => {
  it('closes a stream whose waiting replies take the node over the bound, and counts it', async () => {
    const [entry, leader] = cluster.nodes as [GokvNode, GokvNode];
    const key = await keyLedBy(cluster, leader, 'large');
    await cluster.clients[0]!.run('SET', key, 'x'.repeat(250_000));
    const node = entry;
    const { external } = loadProtos();
    const method = external.externalpb.ExternalServer.service.StreamCommand;
    const frame = (body: Buffer) => Buffer.concat([Buffer.from([0, ...u32(body.length)]), body]);
    const session = http2.connect(`http://${node.addresses.grpc!}`);
    session.on('error', () => {});
    const stream = session.request({ ':method': 'POST', ':path': method.path, 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => {});
    stream.pause(); // reads nothing: 40 replies of 250 KB, past what grpc-js buffers, wait in the node
    const one = frame(method.requestSerialize({ command: 'GET', key, args: [] }));
    stream.write(Buffer.concat(Array.from({ length: 40 }, () => one)));
    const resp = await RawResp.connect(Number(node.addresses.resp!.slice(node.addresses.resp!.lastIndexOf(':') + 1)));
    try {
      await vi.waitFor(async () => expect(await resp.call(['INFO', 'stats'])).toContain('evicted_clients:1\r\n'), { timeout: 20_000, interval: 200 });
      // The stream ended with RESOURCE_EXHAUSTED (8) once the client reads again.
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('trailers', resolve));
      stream.resume();
      expect((await trailers)['grpc-status']).toBe('8');
      expect(await cluster.clients[0]!.run('GET', key)).toBeDefined(); // the node serves on
    } finally {
      resp.close();
      session.close();
    }
  });
});
