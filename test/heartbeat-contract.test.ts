import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock, SeededRandom } from '../internal/clock/index.js';
import type { HeartbeatSender, MemberEntry } from '../internal/membership/index.js';
import { heartbeatSender } from '../internal/node/grpc-adapters.js';
import { ClientPool } from '../internal/peer/index.js';
import { FakeNetwork } from '../internal/peer/fake-network.js';
import { serveInternal } from './helpers/internal-server.js';
import { freePort } from './helpers/process-cluster.js';

/**
 * One suite, two transports: the in-memory fake the membership tests run on, and the real gRPC
 * path (peer client -> internal server). If the fake drifts from what gRPC does, this fails.
 */
interface Harness {
  serve(handler: (entries: MemberEntry[]) => MemberEntry[]): Promise<string>;
  unserve(addr: string): Promise<void>;
  sender(): HeartbeatSender;
  close(): Promise<void>;
}

function fakeHarness(): Harness {
  const net = new FakeNetwork({ clock: new SystemClock(), random: new SeededRandom(1) });
  let n = 0;
  return {
    async serve(handler) {
      const addr = `fake:${++n}`;
      net.register(addr, { heartbeat: (entries) => handler([...entries]) });
      return addr;
    },
    async unserve(addr) {
      net.unregister(addr);
    },
    sender: () => net.sender('fake:client'),
    async close() {},
  };
}

function grpcHarness(): Harness {
  const servers = new Map<string, { stop(): Promise<void> }>();
  const pool = new ClientPool(grpc.credentials.createInsecure(), { timeoutMs: 1000, maxMessageBytes: 1 << 20, maxForwardBatch: 64 });
  return {
    async serve(handler) {
      const bound = await serveInternal({ heartbeat: (_from, entries) => handler(entries) });
      servers.set(bound.address, bound);
      return bound.address;
    },
    async unserve(addr) {
      await servers.get(addr)?.stop();
      servers.delete(addr);
    },
    sender: () => heartbeatSender(pool, 'client'),
    async close() {
      pool.close();
      await Promise.all([...servers.values()].map((s) => s.stop()));
    },
  };
}

const entry = (id: string, status: MemberEntry['status'], incarnation: number, heartbeat: number): MemberEntry => ({
  id,
  internalAddr: `${id}:7946`,
  grpcAddr: `${id}:50051`,
  restAddr: `${id}:8080`,
  status,
  incarnation,
  heartbeat,
});

describe.each([
  ['the fake network', fakeHarness],
  ['gRPC on loopback', grpcHarness],
])('HeartbeatSender over %s', (_name, make) => {
  let harness: Harness;
  afterEach(async () => harness.close());

  it('delivers the table and returns the receiver\'s, every field intact', async () => {
    harness = make();
    let received: MemberEntry[] = [];
    const reply = [entry('b', 'alive', 1_700_000_000_123, 42), entry('c', 'dead', 5, 0)];
    const addr = await harness.serve((entries) => {
      received = entries;
      return reply;
    });
    const sent = [entry('a', 'suspect', 1_700_000_000_001, 9_007_199), entry('d', 'left', 7, 3)];
    expect(await harness.sender().sendHeartbeat(addr, sent)).toEqual(reply);
    expect(received).toEqual(sent);
  });

  it('rejects when nothing listens at the address', async () => {
    harness = make();
    const addr = make === fakeHarness ? 'fake:nobody' : `127.0.0.1:${await freePort()}`;
    await expect(harness.sender().sendHeartbeat(addr, [entry('a', 'alive', 1, 1)])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('rejects once the receiver is gone', async () => {
    harness = make();
    const addr = await harness.serve(() => []);
    await harness.sender().sendHeartbeat(addr, []);
    await harness.unserve(addr);
    await expect(harness.sender().sendHeartbeat(addr, [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
