import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { GokvError } from '../errors/index.js';
import type { MemberEntry } from '../membership/index.js';
import { FakeNetwork } from './fake-network.js';
import { isTransportError } from './transport-error.js';

const entry = (id: string, heartbeat = 1): MemberEntry => ({
  id,
  internalAddr: id,
  grpcAddr: '',
  restAddr: '',
  status: 'alive',
  incarnation: 1,
  heartbeat,
});

/** A network where `b` and `c` answer heartbeats with their own entry and remember who called. */
function setup(seed = 1) {
  const clock = new ManualClock();
  const network = new FakeNetwork({ clock, random: new SeededRandom(seed) });
  const calls: string[] = [];
  for (const addr of ['a', 'b', 'c']) {
    network.register(addr, {
      heartbeat: (entries, from) => {
        calls.push(`${from}->${addr}:${entries.map((e) => e.id).join(',')}`);
        return [entry(addr)];
      },
    });
  }
  return { clock, network, calls };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function expectUnavailable(promise: Promise<unknown>, why: string, maybeApplied = false): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTransportError(err)).toBe(true);
  expect(err).toMatchObject({ maybeApplied });
  expect((err as GokvError).code).toBe('UNAVAILABLE');
  expect((err as GokvError).message).toContain(why);
}

describe('FakeNetwork', () => {
  it('delivers a heartbeat and returns the reply, telling the handler who called', async () => {
    const { network, calls } = setup();
    await expect(network.sender('a').sendHeartbeat('b', [entry('a')])).resolves.toEqual([entry('b')]);
    expect(calls).toEqual(['a->b:a']);
    expect(network.stats).toMatchObject({ calls: 1, delivered: 1, failed: 0 });
  });

  it('rejects calls to an unregistered address as a transport failure', async () => {
    const { network } = setup();
    await expectUnavailable(network.sender('a').sendHeartbeat('nobody', []), 'connection refused');
    network.unregister('b');
    await expectUnavailable(network.sender('a').sendHeartbeat('b', []), 'connection refused');
  });

  it('passes a handler error back as is', async () => {
    const { network } = setup();
    network.register('b', {
      heartbeat: () => {
        throw new GokvError('INTERNAL', 'INTERNAL boom');
      },
    });
    await expect(network.sender('a').sendHeartbeat('b', [])).rejects.toThrow('INTERNAL boom');
  });

  it('cuts both directions of a partition until heal', async () => {
    const { network, calls } = setup();
    network.partition(['a'], ['b', 'c']);
    await expectUnavailable(network.sender('a').sendHeartbeat('b', []), 'partitioned');
    await expectUnavailable(network.sender('c').sendHeartbeat('a', []), 'partitioned');
    await expect(network.sender('b').sendHeartbeat('c', [])).resolves.toEqual([entry('c')]);
    expect(network.canReach('a', 'c')).toBe(false);
    network.heal();
    await expect(network.sender('a').sendHeartbeat('b', [])).resolves.toEqual([entry('b')]);
    expect(calls).toEqual(['b->c:', 'a->b:']);
  });

  it('isolates one address from every other until heal', async () => {
    const { network } = setup();
    network.isolate('b');
    await expectUnavailable(network.sender('a').sendHeartbeat('b', []), 'isolated');
    await expectUnavailable(network.sender('b').sendHeartbeat('c', []), 'isolated');
    await expect(network.sender('a').sendHeartbeat('c', [])).resolves.toHaveLength(1);
    network.heal();
    expect(network.canReach('b', 'c')).toBe(true);
  });

  it('holds messages for the delay, driven by the clock', async () => {
    const { clock, network, calls } = setup();
    network.delay(100);
    let reply: MemberEntry[] | undefined;
    void network
      .sender('a')
      .sendHeartbeat('b', [])
      .then((r) => (reply = r));
    await settle();
    expect(calls).toEqual([]);
    expect(network.pending).toBe(1);
    clock.advance(100);
    expect(calls).toEqual(['a->b:']);
    await settle();
    expect(reply).toBeUndefined();
    clock.advance(100);
    await settle();
    expect(reply).toEqual([entry('b')]);
    expect(network.pending).toBe(0);
  });

  it('keeps the order of messages due at the same time', async () => {
    const { clock, network, calls } = setup();
    network.delay(50);
    const sends = ['a', 'c', 'a'].map((from, i) => network.sender(from).sendHeartbeat('b', [entry(`m${i}`)]));
    clock.advance(50);
    expect(calls).toEqual(['a->b:m0', 'c->b:m1', 'a->b:m2']);
    clock.advance(50);
    await Promise.all(sends);
  });

  it('loses a reply when a partition starts while the call is in flight', async () => {
    const { clock, network, calls } = setup();
    network.delay(10);
    const call = network.sender('a').sendHeartbeat('b', []);
    clock.advance(10);
    network.partition(['a'], ['b']);
    clock.advance(10);
    await expectUnavailable(call, 'partitioned', true);
    expect(calls).toEqual(['a->b:']);
  });

  it('waits for a handler that answers with a promise', async () => {
    const { network } = setup();
    network.register('b', { heartbeat: async () => [entry('late')] });
    await expect(network.sender('a').sendHeartbeat('b', [])).resolves.toEqual([entry('late')]);
  });

  it('drops messages with the given probability, repeatably for a seed', async () => {
    const run = async (seed: number): Promise<boolean[]> => {
      const { network } = setup(seed);
      network.drop(0.3);
      const outcomes: boolean[] = [];
      for (let i = 0; i < 200; i++) {
        outcomes.push(
          await network
            .sender('a')
            .sendHeartbeat('b', [])
            .then(
              () => true,
              () => false,
            ),
        );
      }
      return outcomes;
    };
    const first = await run(5);
    expect(await run(5)).toEqual(first);
    const failed = first.filter((ok) => !ok).length;
    // Request or reply lost: 1 - 0.7^2 = 51 % expected.
    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(135);
  });
});
