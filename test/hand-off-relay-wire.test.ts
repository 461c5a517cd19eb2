import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { unavailable } from '../internal/errors/index.js';
import { grpcRebalanceSink } from '../internal/node/grpc-adapters.js';
import { ClientPool } from '../internal/peer/index.js';
import type { HandOffMessage, InternalService } from '../internal/server/index.js';
import { serveInternal } from './helpers/internal-server.js';

// The hand-off's relay over the real internal gRPC path (grpc-adapters.ts -> internal-server.ts):
// the receiver learns that a batch is a relay (so it does not pass it on again), and a batch's
// answer waits for an asynchronous handler (a receiver passing keys on answers after the relay).
// A ScanRange carries its asker (a node still receiving the range does not ask it back: a
// chained scan) and is answered once an asynchronous handler settled. A FetchRange carries its
// asker and the member the range goes to, and brings tombstones and the page's end back.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function serve(
  rebalance: InternalService['rebalance'],
  scanRange: InternalService['scanRange'] = (_from, to) => ({ keys: [], next: to }),
  fetchKeys: InternalService['fetchKeys'] = () => ({ states: [], deferred: [] }),
  fetchRange: InternalService['fetchRange'] = (_from, _for, _f, to) => ({ states: [], next: to, stillFrom: [] }),
): Promise<string> {
  const { address, stop } = await serveInternal({ rebalance, scanRange, fetchKeys, fetchRange });
  stops.push(stop);
  return address;
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

describe('ScanRange over gRPC', () => {
  const noRebalance: InternalService['rebalance'] = () => ({ applied: 0, missing: [], arriving: [] });

  it('reaches the service with the asker\'s id, and answers an asynchronous handler\'s page', async () => {
    const asked: unknown[][] = [];
    const addr = await serve(noRebalance, async (from, to, args, fromNodeId, chain) => {
      asked.push([from, to, args, fromNodeId, chain]);
      await new Promise((resolve) => setImmediate(resolve)); // answered on a later turn, as a chained scan is
      return { keys: ['a', 'b'], next: 150 };
    });
    expect(await sinkTo(addr).scan('r', 100, 200, ['MATCH', 'a*'])).toEqual({ keys: ['a', 'b'], next: 150 });
    expect(await sinkTo(addr).scan('r', 100, 200, [], 2)).toEqual({ keys: ['a', 'b'], next: 150 });
    expect(asked).toEqual([
      [100, 200, ['MATCH', 'a*'], 'sender', 0],
      [100, 200, [], 'sender', 2],
    ]);
  });

  it('carries an asynchronous handler\'s refusal', async () => {
    const addr = await serve(noRebalance, async () => {
      throw unavailable('r is itself still receiving keys of a range asked for; retry');
    });
    await expect(sinkTo(addr).scan('r', 100, 200, [])).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false, message: expect.stringContaining('still receiving') });
  });
});

describe('FetchKeys over gRPC', () => {
  it('reaches the service with the asker and how far along a chain of pulls it is', async () => {
    const asked: unknown[][] = [];
    const addr = await serve(
      () => ({ applied: 0, missing: [], arriving: [] }),
      undefined,
      (fromNodeId, keys, chain) => {
        asked.push([fromNodeId, keys, chain]);
        return { states: [], deferred: [] };
      },
    );
    await sinkTo(addr).fetch('r', ['k1']);
    await sinkTo(addr).fetch('r', ['k2'], 1);
    expect(asked).toEqual([
      ['sender', ['k1'], 0],
      ['sender', ['k2'], 1],
    ]);
  });
});

describe('FetchRange over gRPC', () => {
  it('reaches the service with the asker and the member the range goes to, and brings states and next back', async () => {
    const asked: unknown[][] = [];
    const tombstone = { key: 'gone', type: '', value: [], expireAtMs: 0, version: 9, deleted: true };
    const addr = await serve(
      () => ({ applied: 0, missing: [], arriving: [] }),
      undefined,
      undefined,
      (fromNodeId, forNodeId, from, to) => {
        asked.push([fromNodeId, forNodeId, from, to]);
        return { states: [state, tombstone], next: 1500, stillFrom: ['e'] };
      },
    );
    const page = await sinkTo(addr).fetchRange('c', 'd', 1000, 2000);
    expect(asked).toEqual([['sender', 'd', 1000, 2000]]);
    expect(page.next).toBe(1500);
    expect(page.states).toEqual([state, tombstone]);
    expect(page.stillFrom).toEqual(['e']);
  });

  it('crosses a refusal as a retryable error, not a transport failure', async () => {
    const addr = await serve(
      () => ({ applied: 0, missing: [], arriving: [] }),
      undefined,
      undefined,
      () => {
        throw unavailable('c still holds sender dead: range fetch refused until it is seen alive; retry');
      },
    );
    const err = await sinkTo(addr).fetchRange('c', 'd', 0, 10).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', transport: false });
  });
});
