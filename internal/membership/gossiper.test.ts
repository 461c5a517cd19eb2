import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { GokvError } from '../errors/index.js';
import { silentLogger } from '../log/index.js';
import { FakeNetwork } from '../peer/fake-network.js';
import { Gossiper, type GossiperDeps } from './gossiper.js';
import type { MemberChange } from './member.js';
import type { GossiperOptions } from './options.js';

const OPTIONS: GossiperOptions = {
  heartbeatIntervalMs: 1000,
  gossipPeerCount: 2,
  suspectAfterMs: 3000,
  deadAfterMs: 6000,
  forgetDeadAfterMs: 20_000,
  seeds: [],
};

function setup() {
  const clock = new ManualClock();
  const network = new FakeNetwork({ clock, random: new SeededRandom(9) });
  const changes = new Map<string, MemberChange[]>();
  const node = (id: string, seeds: string[] = [], deps: Partial<GossiperDeps> = {}): Gossiper => {
    const addr = `${id}:7946`;
    const log: MemberChange[] = [];
    changes.set(id, log);
    const gossiper = new Gossiper(
      {
        self: { id, internalAddr: addr, grpcAddr: `${id}:50051`, restAddr: `${id}:8080`, incarnation: 1 },
        clock,
        random: new SeededRandom(id.length * 31 + id.charCodeAt(id.length - 1)),
        sender: network.sender(addr),
        log: silentLogger(),
        onChange: (batch) => log.push(...batch),
        ...deps,
      },
      { ...OPTIONS, seeds: seeds.map((s) => ({ addr: `${s}:7946` })) },
    );
    network.register(addr, { heartbeat: (entries) => gossiper.handleHeartbeat(entries) });
    return gossiper;
  };
  return { clock, network, changes, node };
}

/** Lets microtask-delivered messages and their replies settle. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Gossiper', () => {
  it('exchanges tables both ways in one round (push-pull)', async () => {
    const { node } = setup();
    const a = node('a', ['b']);
    const b = node('b');
    await a.round();
    expect(a.ringMembers()).toEqual(['a', 'b']);
    expect(b.ringMembers()).toEqual(['a', 'b']);
    expect(a.member('b')?.heartbeat).toBe(0);
    expect(b.member('a')?.heartbeat).toBe(1);
  });

  it('answers a heartbeat with its table after merging the sender', () => {
    const { node } = setup();
    const b = node('b');
    const reply = b.handleHeartbeat([{ ...node('a').selfEntry }]);
    expect(reply.map((e) => e.id).sort()).toEqual(['a', 'b']);
  });

  it('takes a failed send as evidence only: the peer stays alive', async () => {
    const { node, network } = setup();
    const a = node('a', ['b']);
    node('b');
    await a.round();
    network.unregister('b:7946');
    await a.round();
    expect(a.stats.failedSends).toBe(1);
    expect(a.member('b')?.status).toBe('alive');
  });

  it('reports changes to the listener and survives a listener that throws', async () => {
    const { node, changes } = setup();
    const a = node('a', ['b'], {
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    node('b');
    await a.round();
    expect(a.ringMembers()).toEqual(['a', 'b']);
    expect(changes.get('b')?.map((c) => c.kind)).toEqual(['joined']);
  });

  it('keeps suspect members in the ring and dead or left ones out, sorted', async () => {
    const { node, clock } = setup();
    const a = node('a');
    // Members on no network: they make no progress after being learned.
    const entry = (id: string, status: 'alive' | 'dead' | 'left') => ({
      id,
      internalAddr: `${id}:nowhere`,
      grpcAddr: '',
      restAddr: '',
      status,
      incarnation: 1,
      heartbeat: 1,
    });
    a.handleHeartbeat([entry('d', 'alive'), entry('c', 'alive'), entry('b', 'alive')]);
    a.handleHeartbeat([entry('c', 'dead')]);
    clock.advance(1000);
    await a.round();
    clock.advance(1000);
    await a.round();
    clock.advance(1000);
    await a.round(); // 3 s without progress: b and d suspect
    a.handleHeartbeat([entry('d', 'left')]);
    expect(a.member('b')?.status).toBe('suspect');
    expect(a.ringMembers()).toEqual(['a', 'b']);
    expect(a.stats).toMatchObject({ rounds: 3, suspicions: 2, deaths: 1 });
  });

  it('rejects inconsistent options, listing every problem', () => {
    const { clock, network } = setup();
    const make = () =>
      new Gossiper(
        {
          self: { id: 'x', internalAddr: 'x', grpcAddr: '', restAddr: '' },
          clock,
          random: new SeededRandom(1),
          sender: network.sender('x'),
          log: silentLogger(),
        },
        { ...OPTIONS, heartbeatIntervalMs: 0, deadAfterMs: 2000, forgetDeadAfterMs: 1000 },
      );
    expect(make).toThrow(GokvError);
    expect(make).toThrow(/heartbeatIntervalMs.*deadAfterMs.*forgetDeadAfterMs/);
  });

  it('starts with the wall-clock time as incarnation when none is given', () => {
    const { clock, network } = setup();
    const g = new Gossiper(
      {
        self: { id: 'x', internalAddr: 'x', grpcAddr: '', restAddr: '' },
        clock,
        random: new SeededRandom(1),
        sender: network.sender('x'),
        log: silentLogger(),
      },
      OPTIONS,
    );
    expect(g.self.incarnation).toBe(clock.now());
  });
});

describe('Gossiper probing', () => {
  it('probes a seed that is not live every round when probe_every_rounds is 1, and every 4th by default', async () => {
    const probes = async (probeEveryRounds: number | undefined): Promise<number[]> => {
      const clock = new ManualClock();
      const network = new FakeNetwork({ clock, random: new SeededRandom(9) });
      const gossiper = (id: string, seeds: string[]) => {
        const addr = `${id}:7946`;
        const g = new Gossiper(
          { self: { id, internalAddr: addr, grpcAddr: '', restAddr: '', incarnation: 1 }, clock, random: new SeededRandom(1), sender: network.sender(addr), log: silentLogger() },
          { ...OPTIONS, ...(probeEveryRounds === undefined ? {} : { probeEveryRounds }), seeds: seeds.map((s) => ({ addr: `${s}:7946` })) },
        );
        network.register(addr, { heartbeat: (entries) => g.handleHeartbeat(entries) });
        return g;
      };
      const a = gossiper('a', ['b', 'gone']); // `gone` is a seed nobody answers at
      gossiper('b', []);
      const failedPerRound: number[] = [];
      for (let round = 1; round <= 8; round++) {
        const before = network.stats.failed;
        await a.round();
        failedPerRound.push(network.stats.failed - before);
      }
      return failedPerRound;
    };
    // Round 1 joins (every seed); after it only probe rounds try `gone`.
    expect(await probes(1)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await probes(undefined)).toEqual([1, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('Gossiper scheduler', () => {
  it('runs a round every interval with +-25 % jitter', async () => {
    const { node, clock } = setup();
    const a = node('a', ['b']);
    node('b');
    a.start();
    a.start(); // idempotent
    for (let t = 0; t < 10_000; t += 250) {
      clock.advance(250);
      await settle();
    }
    expect(a.stats.rounds).toBeGreaterThanOrEqual(8); // 10 s / 1.25 s
    expect(a.stats.rounds).toBeLessThanOrEqual(13); // 10 s / 0.75 s
    expect(a.member('b')?.status).toBe('alive');
    await a.stop();
  });

  it('stops cleanly: no timer left, idempotent', async () => {
    const { node, clock } = setup();
    const a = node('a');
    a.start();
    expect(clock.pendingTimers()).toBe(1);
    await a.stop();
    await a.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect(a.isRunning).toBe(false);
    clock.advance(10_000);
    expect(a.stats.rounds).toBe(0);
  });

  it('never overlaps exchanges, but keeps ticking while one is slow', async () => {
    const { node, clock, network } = setup();
    const a = node('a', ['b']);
    node('b');
    network.delay(2500); // an exchange takes 5 s, five intervals
    a.start();
    for (let t = 0; t < 4000; t += 100) {
      clock.advance(100);
      await settle();
    }
    expect(network.stats.calls).toBe(1);
    expect(a.stats.rounds).toBeGreaterThanOrEqual(3);
    expect(a.stats.stalls).toBe(0);
    await Promise.all([a.stop(), (async () => {
      for (let i = 0; i < 20; i++) {
        clock.advance(500);
        await settle();
      }
    })()]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('Gossiper.leave', () => {
  it('announces left to every live peer, then stops gossiping', async () => {
    const { node, clock } = setup();
    const [a, b, c] = [node('a', ['b']), node('b'), node('c', ['b'])];
    await a.round();
    await c.round();
    await a.round();
    expect(a.ringMembers()).toEqual(['a', 'b', 'c']);
    a.start();
    await a.leave();
    expect(a.self).toMatchObject({ status: 'left', incarnation: 2 });
    expect(b.member('a')?.status).toBe('left');
    expect(c.member('a')?.status).toBe('left');
    expect(b.ringMembers()).toEqual(['b', 'c']);
    expect(a.isRunning).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    const rounds = a.stats.rounds;
    await a.round();
    expect(a.stats.rounds).toBe(rounds);
    await a.leave(); // idempotent
  });

  it('announces it to a peer that left before it too (two leaves at once: it may still be handing off)', async () => {
    const { node } = setup();
    const [a, , c] = [node('a', ['b']), node('b'), node('c', ['b'])];
    await a.round();
    await c.round();
    await a.round();
    await a.leave(); // c hears that a left
    expect(c.member('a')?.status).toBe('left');
    await c.leave(); // c leaves while a is still up (its internal server answers)
    expect(a.member('c')?.status).toBe('left');
    expect(a.ringMembers()).toEqual(['b']);
  });

  it('knows which peers answered holding it alive at its current incarnation (a rejoin waits for them)', async () => {
    const { node } = setup();
    const a = node('a', ['b']);
    node('b');
    expect(a.seesUsAlive('b')).toBe(false); // not heard from yet
    await a.round();
    expect(a.seesUsAlive('b')).toBe(true);
    a.handleHeartbeat([{ ...a.selfEntry, status: 'dead' }]); // held dead: a refutes at a new incarnation
    expect(a.selfEntry.incarnation).toBe(2);
    expect(a.seesUsAlive('b')).toBe(false); // b's last answer held the old incarnation
    await a.round();
    expect(a.seesUsAlive('b')).toBe(true);
    expect(a.deadAfterMs).toBe(OPTIONS.deadAfterMs); // two members: not scaled (a rejoin waits at most this)
  });

  it('tells onRound after each round, once its peers answered (a rejoin wait ends without a write)', async () => {
    const { node } = setup();
    const seen: boolean[] = [];
    const a: Gossiper = node('a', ['b'], { onRound: () => seen.push(a.seesUsAlive('b')) });
    node('b');
    await a.round();
    await a.round();
    expect(seen).toEqual([true, true]);
  });
});

describe('Gossiper with another process under its id', () => {
  it('warns that two nodes share one id, naming the other address, once a minute', async () => {
    // Two processes started with the same GOKV_CLUSTER_NODE_ID: each gossips the id alive at a
    // higher incarnation than the other's, and each refutes by going higher still.
    const clock = new ManualClock();
    const network = new FakeNetwork({ clock, random: new SeededRandom(3) });
    const warnings: Array<Record<string, unknown>> = [];
    const twin = (addr: string, incarnation: number, seed: string[]) => {
      const log = silentLogger();
      log.warn = ((obj: Record<string, unknown>) => void warnings.push(obj)) as typeof log.warn;
      const g = new Gossiper(
        { self: { id: 'a', internalAddr: addr, grpcAddr: '', restAddr: '', incarnation }, clock, random: new SeededRandom(5), sender: network.sender(addr), log },
        { ...OPTIONS, seeds: seed.map((s) => ({ addr: s })) },
      );
      network.register(addr, { heartbeat: (entries) => g.handleHeartbeat(entries) });
      return g;
    };
    const first = twin('a1:7946', 100, []);
    const second = twin('a2:7946', 200, ['a1:7946']);
    // first hears id a alive at 200 from a2 and goes to 201; its answer makes a2 go to 202.
    await second.round();
    expect(warnings).toEqual([
      expect.objectContaining({ id: 'a', addr: 'a1:7946', otherAddr: 'a2:7946' }),
      expect.objectContaining({ id: 'a', addr: 'a2:7946', otherAddr: 'a1:7946' }),
    ]);
    const said = warnings.length;
    await first.round();
    await second.round();
    expect(warnings).toHaveLength(said); // within the minute: not again
    clock.advance(60_000);
    await second.round();
    await first.round();
    expect(warnings.length).toBeGreaterThan(said);
    first.stop();
    second.stop();
  });
});

describe('Gossiper bounded by limits.max_members', () => {
  const ghost = (i: number) => ({
    id: `ghost-${i}`,
    internalAddr: `ghost-${i}:7946`,
    grpcAddr: '',
    restAddr: '',
    status: 'alive' as const,
    incarnation: 1,
    heartbeat: 1,
  });

  it('holds at most max_members after a Heartbeat carrying more made-up members, and says so once', () => {
    const clock = new ManualClock();
    const warnings: unknown[] = [];
    const log = silentLogger();
    log.warn = ((obj: unknown) => void warnings.push(obj)) as typeof log.warn;
    const g = new Gossiper(
      {
        self: { id: 'a', internalAddr: 'a:7946', grpcAddr: '', restAddr: '', incarnation: 1 },
        clock,
        random: new SeededRandom(1),
        sender: { sendHeartbeat: () => Promise.reject(new Error('unused')) },
        log,
      },
      { ...OPTIONS, maxMembers: 16 },
    );
    const reply = g.handleHeartbeat(Array.from({ length: 5000 }, (_, i) => ghost(i)));
    expect(g.members()).toHaveLength(16);
    expect(g.ringMembers()).toHaveLength(16);
    expect(reply).toHaveLength(16);
    g.handleHeartbeat(Array.from({ length: 100 }, (_, i) => ghost(5000 + i)));
    expect(g.members()).toHaveLength(16);
    expect(warnings).toEqual([{ maxMembers: 16, refused: 1, unread: 5000 - 16 }]);
    clock.advance(60_000);
    g.handleHeartbeat([ghost(9999)]);
    expect(warnings).toHaveLength(2);
  });

  it('refuses a max_members below 1', () => {
    expect(() => new Gossiper(
      { self: { id: 'a', internalAddr: 'a:7946', grpcAddr: '', restAddr: '' }, clock: new ManualClock(), random: new SeededRandom(1), sender: { sendHeartbeat: () => Promise.resolve([]) }, log: silentLogger() },
      { ...OPTIONS, maxMembers: 0 },
    )).toThrow(/maxMembers must be >= 1/);
  });
});

describe('Gossiper whose seeds never answer', () => {
  it('warns after dead_after, naming the seed and why, once a minute, and never once a peer answered', async () => {
    const { clock, network } = setup();
    const warnings: Array<Record<string, unknown>> = [];
    const log = silentLogger();
    log.warn = ((obj: Record<string, unknown>) => void warnings.push(obj)) as typeof log.warn;
    const lone = new Gossiper(
      { self: { id: 'b', internalAddr: 'b:7946', grpcAddr: '', restAddr: '', incarnation: 1 }, clock, random: new SeededRandom(5), sender: network.sender('b:7946'), log },
      { ...OPTIONS, seeds: [{ addr: 'a:7946' }] },
    );
    lone.start();
    const rounds = async (n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(OPTIONS.heartbeatIntervalMs);
        await settle();
      }
    };
    await rounds(5); // under dead_after (6 s): a seed may simply be starting too
    expect(warnings).toEqual([]);
    await rounds(3);
    expect(warnings).toEqual([expect.objectContaining({ seed: 'a:7946', reason: expect.stringContaining('a:7946') })]);
    await rounds(30);
    expect(warnings).toHaveLength(1);
    await rounds(31);
    expect(warnings).toHaveLength(2);

    // The seed comes up: once it answered, a later silence is a failure for the detector, not this.
    const seed = new Gossiper(
      { self: { id: 'a', internalAddr: 'a:7946', grpcAddr: '', restAddr: '', incarnation: 1 }, clock, random: new SeededRandom(6), sender: network.sender('a:7946'), log: silentLogger() },
      OPTIONS,
    );
    network.register('a:7946', { heartbeat: (entries) => seed.handleHeartbeat(entries) });
    await rounds(5);
    expect(lone.members().map((m) => m.id).sort()).toEqual(['a', 'b']);
    network.unregister('a:7946');
    await rounds(70);
    expect(warnings).toHaveLength(2);
    await lone.stop();
  });
});

describe('Gossiper with two members on one address', () => {
  it('warns, naming both and the address, once a minute', async () => {
    const { node, network, clock } = setup();
    const warnings: Array<Record<string, unknown>> = [];
    const log = silentLogger();
    log.warn = ((obj: Record<string, unknown>) => void warnings.push(obj)) as typeof log.warn;
    const a = node('a', [], { log });
    const b = node('b', ['a']);
    await b.round();
    // c advertises b's address (its GOKV_CLUSTER_ADVERTISE_ADDR names b's port).
    const c = new Gossiper(
      { self: { id: 'c', internalAddr: 'b:7946', grpcAddr: '', restAddr: '', incarnation: 1 }, clock, random: new SeededRandom(6), sender: network.sender('c-real:7946'), log: silentLogger() },
      { ...OPTIONS, seeds: [{ addr: 'a:7946' }] },
    );
    await c.round();
    expect(warnings).toEqual([{ ids: ['b', 'c'], addr: 'b:7946' }]);
    await c.round();
    expect(warnings).toHaveLength(1);
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  });

  it('says nothing of members on addresses of their own', async () => {
    const { node, clock } = setup();
    const warned: unknown[] = [];
    const log = silentLogger();
    log.warn = ((obj: unknown) => void warned.push(obj)) as typeof log.warn;
    node('a', [], { log });
    const b = node('b', ['a'], { log });
    await b.round();
    clock.advance(1000);
    expect(warned).toEqual([]);
  });
});
