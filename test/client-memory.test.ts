import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { keyLedBy, startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';
import { pausedRunCommands, pausedStreamCommand } from './helpers/raw-stream.js';

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

describe('limits.max_client_memory over RunCommand', () => {
  // Found by a review: 300 HGETALLs of 10 MB on a connection that did not read took a node from
  // 106 MB to 3.0 GB; unary replies counted nowhere.
  it('refuses the replies of reads once those not yet read go over the bound, and none of a write', async () => {
    const [, leader] = cluster.nodes as [GokvNode, GokvNode];
    const key = await keyLedBy(cluster, leader, 'unary');
    await cluster.clients[1]!.run('SET', key, 'u'.repeat(300_000));
    const reads = pausedRunCommands(leader.addresses.grpc!, { command: 'GET', key, args: [] }, 20); // 6 MB of replies
    const list = await keyLedBy(cluster, leader, 'unary-list');
    try {
      await vi.waitFor(async () => expect(await cluster.clients[1]!.run('STRLEN', key)).toBe(300_000)); // the reads ran meanwhile
      // A write's reply always goes out, however far over: its client must learn it was applied.
      const writes = pausedRunCommands(leader.addresses.grpc!, { command: 'RPUSH', key: list, args: [Buffer.from('x')] }, 5);
      await vi.waitFor(async () => expect(await cluster.clients[1]!.run('LLEN', list)).toBe(5), { timeout: 10_000 });
      const statuses = await reads.statuses();
      expect(statuses.filter((s) => s === '8').length).toBeGreaterThan(0); // RESOURCE_EXHAUSTED
      expect(statuses.filter((s) => s === '0').length).toBeGreaterThan(0);
      expect(await writes.statuses()).toEqual(['0', '0', '0', '0', '0']);
      writes.session.close();
      // Read, the replies count no more; and those of a client that hangs up are given back too.
      expect(String(await cluster.clients[1]!.run('GET', key)).length).toBe(300_000);
      const probe = async () => {
        const one = pausedRunCommands(leader.addresses.grpc!, { command: 'GET', key, args: [] }, 1);
        const [status] = await one.statuses();
        one.session.close();
        return status;
      };
      expect(await probe()).toBe('0');
      const dropped = pausedRunCommands(leader.addresses.grpc!, { command: 'GET', key, args: [] }, 10);
      await vi.waitFor(async () => expect(await probe()).toBe('8'), { timeout: 10_000 });
      dropped.session.destroy();
      await vi.waitFor(async () => expect(await probe()).toBe('0'), { timeout: 10_000 });
    } finally {
      reads.session.close();
    }
  });
});

describe('limits.max_client_memory over StreamCommand', () => {
  it('closes a stream whose waiting replies take the node over the bound, and counts it', async () => {
    const [entry, leader] = cluster.nodes as [GokvNode, GokvNode];
    const key = await keyLedBy(cluster, leader, 'large');
    await cluster.clients[0]!.run('SET', key, 'x'.repeat(250_000));
    const node = entry;
    const { session, stream, send } = pausedStreamCommand(node.addresses.grpc!);
    send({ command: 'GET', key, args: [] }, 40); // 40 replies of 250 KB, past what grpc-js buffers, wait in the node
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

  // Found by a review: replies a stream had handed to grpc-js (16 of them, whatever their size)
  // counted nowhere, so 25 streams that did not read took a node to 4.3 GB, none closed.
  it('counts the replies waiting in grpc-js too: two streams of local replies go over the bound', async () => {
    const [, leader] = cluster.nodes as [GokvNode, GokvNode];
    const key = await keyLedBy(cluster, leader, 'local');
    await cluster.clients[1]!.run('SET', key, 'y'.repeat(300_000));
    const resp = await RawResp.connect(Number(leader.addresses.resp!.slice(leader.addresses.resp!.lastIndexOf(':') + 1)));
    const evictedNow = async () => Number(/evicted_clients:(\d+)/.exec(await resp.call(['INFO', 'stats']))![1]);
    const before = await evictedNow();
    // Each stream: about 1.2 MB of local replies handed to grpc-js before its sink is full.
    const streams = [pausedStreamCommand(leader.addresses.grpc!), pausedStreamCommand(leader.addresses.grpc!)];
    try {
      for (const s of streams) s.send({ command: 'GET', key, args: [] }, 40);
      await vi.waitFor(async () => expect(await evictedNow()).toBe(before + 1), { timeout: 20_000, interval: 200 });
      expect(await cluster.clients[1]!.run('GET', key)).toBeDefined();
    } finally {
      resp.close();
      streams.forEach((s) => s.session.close());
    }
  });
});
