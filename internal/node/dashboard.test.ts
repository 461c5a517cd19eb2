import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.js';
import { createHasher, Ring } from '../ring/index.js';
import type { NodeFigures } from '../server/index.js';
import { handOffFigures } from './dashboard-wiring.js';
import { MemberFigures, type FiguresPeer } from './member-figures.js';
import { RingViews } from './ring-view.js';

const figures = (id: string, keys = 1): NodeFigures => ({
  id,
  keys,
  memoryUsedBytes: 0,
  tombstoneBytes: 0,
  maxMemoryBytes: 0,
  opsPerSec: 0,
  p99LatencyMs: null,
  eventLoopDelayMs: 0,
  uptimeMs: 0,
  handOff: null,
});

/** A MemberFigures whose peers answer from `answers` (a function of the address), counting calls. */
function setup(peers: FiguresPeer[], answer: (addr: string) => Promise<NodeFigures>) {
  const clock = new ManualClock();
  const calls: string[] = [];
  const cache = new MemberFigures(
    {
      selfId: 'self',
      own: () => figures('self', 7),
      peers: () => peers,
      fetch: (addr, timeoutMs) => {
        calls.push(`${addr}/${timeoutMs}`);
        return answer(addr);
      },
      clock,
    },
    { ttlMs: 1000, timeoutMs: 300 },
  );
  return { cache, clock, calls };
}

const A = { id: 'a', internalAddr: 'a:1' };
const B = { id: 'b', internalAddr: 'b:1' };

describe('MemberFigures', () => {
  it('answers this node\'s own figures and each peer\'s, asked with the short deadline', async () => {
    const { cache, calls } = setup([A, B], (addr) => Promise.resolve(figures(addr[0]!, addr === 'a:1' ? 3 : 4)));
    const got = await cache.figures();
    expect([...got].map(([id, f]) => [id, f.keys])).toEqual([['self', 7], ['a', 3], ['b', 4]]);
    expect(calls.sort()).toEqual(['a:1/300', 'b:1/300']);
  });

  it('reuses answers for ttlMs, then asks again', async () => {
    const { cache, clock, calls } = setup([A], () => Promise.resolve(figures('a')));
    await cache.figures();
    clock.advance(999);
    await cache.figures();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await cache.figures();
    expect(calls).toHaveLength(2);
  });

  it('serves the answer it holds while asking again past ttlMs, so a member gone silent delays no request', async () => {
    let answered = false;
    const { cache, clock, calls } = setup([A], () => {
      if (answered) return new Promise<NodeFigures>(() => undefined); // hung from now on
      answered = true;
      return Promise.resolve(figures('a', 5));
    });
    await cache.figures();
    clock.advance(1000);
    const next = await Promise.race([cache.figures(), new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 50))]);
    expect(next === 'waited' ? next : next.get('a')?.keys).toBe(5);
    expect(calls).toHaveLength(2); // asked again, in the background
  });

  it('shares one call between concurrent readers', async () => {
    let release: (f: NodeFigures) => void = () => undefined;
    const { cache, calls } = setup([A], () => new Promise((resolve) => (release = resolve)));
    const first = cache.figures();
    const second = cache.figures();
    release(figures('a', 9));
    expect((await first).get('a')?.keys).toBe(9);
    expect((await second).get('a')?.keys).toBe(9);
    expect(calls).toHaveLength(1);
  });

  it('leaves out a member that fails, without failing, and does not ask it again within ttlMs', async () => {
    const { cache, calls } = setup([A, B], (addr) => (addr === 'a:1' ? Promise.reject(new Error('deadline')) : Promise.resolve(figures('b'))));
    expect([...(await cache.figures()).keys()]).toEqual(['self', 'b']);
    await cache.figures();
    expect(calls.filter((c) => c.startsWith('a:1'))).toHaveLength(1);
  });

  it('ignores an answer from another member at the same address', async () => {
    const { cache } = setup([A], () => Promise.resolve(figures('a-restarted-as-someone-else')));
    expect([...(await cache.figures()).keys()]).toEqual(['self']);
  });

  it('never asks itself', async () => {
    const { cache, calls } = setup([{ id: 'self', internalAddr: 'self:1' }, A], () => Promise.resolve(figures('a')));
    await cache.figures();
    expect(calls).toEqual(['a:1/300']);
  });
});

describe('handOffFigures', () => {
  const clock = new ManualClock(1_000_000);
  const progress = { running: true, keysPlanned: 10, keysSent: 4, bytesPlanned: 100, bytesSent: 40, startedAtMs: 997_500 };

  it('turns the start time into an elapsed time on this node\'s clock', () => {
    expect(handOffFigures(() => progress, clock)).toEqual({ keysPlanned: 10, keysSent: 4, bytesPlanned: 100, bytesSent: 40, elapsedMs: 2500 });
    expect(handOffFigures(() => ({ ...progress, startedAtMs: 2_000_000 }), clock)?.elapsedMs).toBe(0);
  });

  it.each([
    ['nothing is provided', () => undefined],
    ['the last run is over', () => ({ ...progress, running: false })],
    [
      'the provider throws',
      () => {
        throw new Error('not wired');
      },
    ],
  ])('reports nothing when %s', (_name, provider) => {
    expect(handOffFigures(provider, clock)).toBeNull();
  });
});

describe('RingViews', () => {
  it('lists each member with its share and vnode positions, rebuilt only for a new ring', async () => {
    const hasher = await createHasher();
    const ring = Ring.fromMembers(['n2', 'n1', 'n3'], 16, hasher.textPosition);
    const views = new RingViews(2);
    const view = views.of(ring);
    expect(view).toMatchObject({ version: ring.version, vnodeCount: 16, replicas: 2 });
    expect(view.members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3']);
    expect(view.members.reduce((sum, m) => sum + m.share, 0)).toBeCloseTo(1, 12);
    for (const m of view.members) {
      expect(m.vnodes).toHaveLength(16);
      expect(m.vnodes).toEqual([...m.vnodes].sort((x, y) => x - y));
      expect(m.vnodes).toContain(hasher.textPosition(`${m.id}#0`));
    }
    expect(views.of(ring)).toBe(view);
    expect(views.of(Ring.fromMembers(['n1'], 16, hasher.textPosition)).members).toHaveLength(1);
  });
});
