import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../internal/log/index.js';
import { grpcRebalanceSink } from '../internal/node/grpc-adapters.js';
import { ClientPool } from '../internal/peer/index.js';
import { addInternalService, startGrpcServer, type HandOffMessage, type InternalService } from '../internal/server/index.js';

// The hand-off's relay over the real internal gRPC path (grpc-adapters.ts -> internal-server.ts):
// the receiver learns that a batch is a relay (so it does not pass it on again), and a batch's
// answer waits for an asynchronous handler (a receiver passing keys on answers after the relay).

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function serve(rebalance: InternalService['rebalance']): Promise<string> {
  const server = new grpc.Server();
  const service: InternalService = {
    heartbeat: () => [],
    execute: () => null,
    applyReplication: () => ({ ackedSeq: 0, resyncKeys: [] }),
    rebalance,
    fetchKeys: () => ({ states: [], deferred: [] }),
    scanRange: (_from, to) => ({ keys: [], next: to }),
  };
  addInternalService(server, service, silentLogger(), 1000);
  const bound = await startGrpcServer(server, '127.0.0.1:0', grpc.ServerCredentials.createInsecure());
  stops.push(() => bound.stop(10));
  return bound.address;
}

function sinkTo(addr: string) {
  const pool = new ClientPool(grpc.credentials.createInsecure(), { timeoutMs: 2000, maxMessageBytes: 1 << 20, maxForwardBatch: 64 });
  stops.push(async () => pool.close());
  return grpcRebalanceSink(pool, () => addr, 'sender');
}

const state = { key: 'k', type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 3, deleted: false };

describe('hand-off relay over gRPC', () => {
  it('marks a relayed batch, and not a sent one', async () => {
    const seen: HandOffMessage[] = [];
    const addr = await serve((_from, message) => {
      seen.push(message);
      return { applied: message.states.length, missing: [], arriving: [] };
    });
    const sink = sinkTo(addr);
    expect(await sink.send('r', [state])).toEqual({ applied: 1 });
    expect(await sink.relay('r', [state])).toEqual({ applied: 1 });
    expect(seen.map((m) => m.relayed)).toEqual([false, true]);
    expect(seen[1]!.states).toEqual([state]);
  });

  it('answers only once an asynchronous handler settled, and carries its refusal', async () => {
    let release!: () => void;
    const relayed = new Promise<void>((resolve) => (release = resolve));
    let settled = false;
    let entered!: () => void;
    const handling = new Promise<void>((resolve) => (entered = resolve));
    const addr = await serve(async (_from, message) => {
      if (message.states.length === 0) throw Object.assign(new Error('UNAVAILABLE refused; retry'), { code: 'UNAVAILABLE' });
      entered();
      await relayed;
      settled = true;
      return { applied: 1, missing: [], arriving: [] };
    });
    const sink = sinkTo(addr);
    let answered = false;
    const sent = sink.send('r', [state]).then((r) => {
      answered = true;
      return r;
    });
    await handling; // the handler runs and waits: no answer can have been sent
    expect(answered).toBe(false);
    release();
    expect(await sent).toEqual({ applied: 1 });
    expect(settled).toBe(true);
    await expect(sink.send('r', [])).rejects.toThrow(/refused/);
  });
});
