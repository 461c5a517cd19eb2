import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { silentLogger } from '../log/index.js';
import { FIELDS_PER_TURN, Store, type BinStr } from '../store/index.js';
import { readableHash } from '../store/testing/fixtures.js';
import { GokvError } from '../errors/index.js';
import { Arrivals } from './arrivals.js';
import { Departures } from './departures.js';
import { mergeStates, missingKeys } from './states.js';
import { FakeHandOffNetwork } from './testing/fake-sink.js';
import { flush, ringOf } from './testing/fixtures.js';

// d joins [a, b, c] with replicas 1 (one vnode each: a 100, b 200, c 300, d 250): d gains
// [101,201) from b then c, and [201,251) from c then a. Keys `@150:x` sit at 150.
const WINDOW_MS = 60_000;

function setup(
  change = { replicas: 1, before: ringOf('a', 'b', 'c'), after: ringOf('a', 'b', 'c', 'd') },
  maxAnswerBytes = 0,
  maxFetchBytes = 0,
  pause?: () => Promise<void>,
) {
  const clock = new ManualClock();
  const network = new FakeHandOffNetwork();
  const stores = new Map<string, Store>();
  const departures = new Map<string, Departures>();
  for (const id of ['a', 'b', 'c', 'd']) {
    const store = new Store({ clock, random: new SeededRandom(1), hashKey: readableHash });
    stores.set(id, store);
    const dep = new Departures({ store, clock }, { markerTtlMs: WINDOW_MS, maxAnswerBytes });
    departures.set(id, dep);
    network.add(id, { receiveBatch: (states) => mergeStates(store, states), receiveConfirm: (d) => ({ missing: missingKeys(store, d), arriving: [] }) });
    network.serve(id, {
      fetch: (from, keys) => dep.fetch(from, keys),
      scan: (from, to, _args) => {
        const page = store.scan(from, to, 1_000);
        return { keys: page.keys, next: page.next };
      },
    });
  }
  const store = stores.get('d')!;
  const arrivals = new Arrivals(
    { store, selfId: 'd', sink: network.sinkFor('d'), clock, log: silentLogger(), position: readableHash, pause },
    { replicas: change.replicas, windowMs: WINDOW_MS, maxFetchBytes },
  );
  network.onDone('d', (from, arcs) => arrivals.handed(from, arcs));
  arrivals.onRingChange(change.before, change.after);
  const put = (id: string, key: BinStr, value: string, version: number) =>
    stores.get(id)!.mergeKey(key, { type: 'hash', value: ['f', value], expireAtMs: 0, version });
  const valueAt = (id: string, key: BinStr) => stores.get(id)!.exportKey(key);
  const fetches = () => network.calls.filter((c) => c.kind === 'fetch');
  return { clock, network, stores, departures, arrivals, store, put, valueAt, fetches };
}

describe('Arrivals: pull-on-miss for arcs gained and not handed yet', () => {
  it('pulls a key from every previous owner, keeps the newest, then serves it locally', async () => {
    const t = setup();
    t.put('b', '@150:k', 'old', 10);
    t.put('c', '@150:k', 'new', 20);
    const pull = t.arrivals.ready('@150:k', 150);
    expect(pull).toBeInstanceOf(Promise);
    await pull;
    expect(t.valueAt('d', '@150:k')).toMatchObject({ value: ['f', 'new'], version: 20 });
    expect(t.fetches().map((c) => c.to).sort()).toEqual(['b', 'c']);
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined();
  });

  it('pulls even a key held here already (it may be older), and never lets an older copy win', async () => {
    const t = setup();
    t.put('d', '@150:k', 'mine', 30);
    t.put('b', '@150:k', 'theirs', 20);
    await t.arrivals.ready('@150:k', 150);
    expect(t.valueAt('d', '@150:k')).toMatchObject({ value: ['f', 'mine'], version: 30 });
    expect(t.fetches()).toHaveLength(2);
  });

  it('pulls a key again when its arc is gained again, though it was pulled under an earlier gain', async () => {
    // A node held dead by the others (a healed partition) gains again every arc it owns: they
    // may have written its keys meanwhile. A key it pulled earlier, with arcs still pending
    // since, must not be served from that older pull.
    const t = setup();
    t.put('b', '@150:k', 'before', 10);
    await t.arrivals.ready('@150:k', 150);
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined();
    t.put('b', '@150:k', 'written while d was held dead', 20);
    t.arrivals.onRingChange(ringOf('a', 'b', 'c'), ringOf('a', 'b', 'c', 'd'));
    const again = t.arrivals.ready('@150:k', 150);
    expect(again).toBeInstanceOf(Promise);
    await again;
    expect(t.valueAt('d', '@150:k')).toMatchObject({ value: ['f', 'written while d was held dead'], version: 20 });
  });

  it('does not count a pull that started before a new gain as covering it', async () => {
    const t = setup();
    t.put('b', '@150:k', 'before', 10);
    const early = t.arrivals.ready('@150:k', 150)!;
    t.arrivals.onRingChange(ringOf('a', 'b', 'c'), ringOf('a', 'b', 'c', 'd'));
    await early;
    t.put('b', '@150:k', 'after the gain', 20);
    const again = t.arrivals.ready('@150:k', 150);
    expect(again).toBeInstanceOf(Promise);
    await again;
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 20 });
  });

  it('merges nothing from a pull answered after this node stopped owning the key', async () => {
    // Merged after the ring moved on, the copy would outlive the hand-off that dropped the arc
    // here: a third copy of the key (seen once in a loaded netns run).
    const t = setup();
    t.put('b', '@150:k', 'theirs', 10);
    const pull = t.arrivals.ready('@150:k', 150)!;
    t.arrivals.onRingChange(ringOf('a', 'b', 'c', 'd'), ringOf('a', 'b', 'c'));
    await pull;
    expect(t.valueAt('d', '@150:k')).toBeUndefined();
  });

  it('shares one pull between concurrent calls for a key, and batches keys per source per tick', async () => {
    const t = setup();
    const first = t.arrivals.ready('@150:k', 150);
    expect(t.arrivals.ready('@150:k', 150)).toBe(first);
    const other = t.arrivals.ready('@160:j', 160);
    await Promise.all([first, other]);
    expect(t.fetches().map((c) => [c.to, [...c.keys].sort()])).toEqual([
      ['b', ['@150:k', '@160:j']],
      ['c', ['@150:k', '@160:j']],
    ]);
  });

  it('asks again for the keys a source left out to keep its answer under one message', async () => {
    const t = setup(undefined, 1500);
    const keys = ['@150:a', '@160:b', '@170:c'];
    for (const k of keys) t.put('b', k, 'x'.repeat(1000), 10); // any two exceed 1500 bytes
    await Promise.all(keys.map((k, i) => t.arrivals.ready(k, 150 + 10 * i)));
    for (const k of keys) expect(t.valueAt('d', k)).toMatchObject({ value: ['f', 'x'.repeat(1000)], version: 10 });
    expect(t.fetches().filter((c) => c.to === 'b').map((c) => c.keys.length)).toEqual([3, 2, 1]);
    expect(t.fetches().filter((c) => c.to === 'c').map((c) => c.keys.length)).toEqual([3]); // held nothing
  });

  it('asks for long keys in several requests when together they would not fit one', async () => {
    const t = setup(undefined, 0, 1000);
    const keys = ['@150:', '@160:', '@170:'].map((p) => p + 'k'.repeat(600));
    keys.forEach((k) => t.put('b', k, 'v', 10));
    await Promise.all(keys.map((k, i) => t.arrivals.ready(k, 150 + 10 * i)));
    for (const k of keys) expect(t.valueAt('d', k)).toMatchObject({ version: 10 });
    expect(t.fetches().filter((c) => c.to === 'b').map((c) => c.keys.length)).toEqual([1, 1, 1]);
  });

  it('a source marks moved only the keys it sent, and always sends its first state', () => {
    const t = setup(undefined, 100);
    t.put('b', '@150:a', 'x'.repeat(1000), 10);
    t.put('b', '@160:b', 'y', 10);
    const b = t.departures.get('b')!;
    const answer = b.fetch('d', ['@140:absent', '@150:a', '@160:b']);
    expect(answer.states.map((s) => s.key)).toEqual(['@150:a']); // over the bound alone: it goes
    expect(answer.deferred).toEqual(['@160:b']);
    expect(b.movedTo('@150:a', () => true)).toBe('d');
    expect(b.movedTo('@140:absent', () => true)).toBe('d');
    expect(b.movedTo('@160:b', () => true)).toBeUndefined();
  });

  it('fails a pull, rather than asking forever, when a source defers every key', async () => {
    const t = setup();
    t.network.serve('c', { fetch: (_from, keys) => ({ states: [], deferred: [...keys] }), scan: () => ({ keys: [], next: 0 }) });
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toThrow(/deferred every key/);
    expect(t.fetches().filter((c) => c.to === 'c')).toHaveLength(1);
  });

  it('marks pulled keys moved at the source, until the marker expires or its member is unusable', async () => {
    const t = setup();
    await t.arrivals.ready('@150:k', 150);
    const b = t.departures.get('b')!;
    expect(b.movedTo('@150:k', () => true)).toBe('d');
    expect(b.movedTo('@150:k', () => false)).toBeUndefined();
    await t.arrivals.ready('@160:k', 160);
    t.clock.advance(WINDOW_MS + 1);
    expect(b.movedTo('@160:k', () => true)).toBeUndefined();
  });

  it('fails with UNAVAILABLE when no previous owner answers, and asks again on the next call', async () => {
    const t = setup();
    t.network.down('b');
    t.network.down('c');
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    t.network.up('c');
    t.put('c', '@150:k', 'v', 5);
    await t.arrivals.ready('@150:k', 150);
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 5 });
  });

  it('is satisfied by one answering owner when another is down', async () => {
    const t = setup();
    t.network.down('b');
    t.put('c', '@150:k', 'v', 5);
    await t.arrivals.ready('@150:k', 150);
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 5 });
  });

  it('does nothing for a key outside the gained arcs', () => {
    const t = setup();
    expect(t.arrivals.ready('@50:k', 50)).toBeUndefined();
    expect(t.arrivals.ready('@260:k', 260)).toBeUndefined();
    expect(t.network.calls).toEqual([]);
  });

  it('stops pulling an arc once its first previous owner reports it handed off', async () => {
    const t = setup();
    await t.network.sinkFor('c').done('d', [{ from: 101, to: 201 }]); // c is not that arc's first owner
    expect(t.arrivals.ready('@150:k', 150)).toBeInstanceOf(Promise);
    await t.network.sinkFor('b').done('d', [{ from: 101, to: 201 }]);
    expect(t.arrivals.ready('@151:k', 151)).toBeUndefined();
    expect(t.arrivals.ready('@210:k', 210)).toBeInstanceOf(Promise);
  });

  it('takes no `done` from a previous owner that restarted empty: the next one\'s ends the pull', async () => {
    const t = setup();
    t.put('c', '@150:k', 'on c only', 7);
    t.arrivals.memberRestarted('b'); // b, [101,201)'s first owner, is a new process with nothing
    await t.network.sinkFor('b').done('d', [{ from: 101, to: 201 }]);
    await t.arrivals.ready('@150:k', 150); // still pulled, from c
    expect(t.valueAt('d', '@150:k')).toMatchObject({ value: ['f', 'on c only'] });
    expect(t.fetches().map((c) => c.to)).toEqual(['c']);
    await t.network.sinkFor('c').done('d', [{ from: 101, to: 201 }]);
    expect(t.arrivals.ready('@151:k', 151)).toBeUndefined();
  });

  it('stops pulling an arc whose previous owners are all forgotten', () => {
    const t = setup();
    t.arrivals.memberForgotten('b');
    expect(t.arrivals.ready('@150:k', 150)).toBeInstanceOf(Promise); // c is left
    t.arrivals.memberForgotten('c');
    expect(t.arrivals.ready('@151:k', 151)).toBeUndefined();
    expect(t.arrivals.stats.pendingArcs).toBe(1); // [201,251) still has a
  });

  // A member leaving gossips its leave first, then hands its keys over: until then it is the
  // one that holds them.
  it('keeps pulling from previous owners that left, until they stop answering', async () => {
    const t = setup();
    t.put('b', '@150:k', 'only on the leavers', 5);
    t.arrivals.memberLeft('b');
    t.arrivals.memberLeft('c');
    await t.arrivals.ready('@150:k', 150);
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 5 });
    expect(t.fetches().map((c) => c.to).sort()).toEqual(['b', 'c']);

    t.network.down('b'); // b has exited: c still answers
    await t.arrivals.ready('@151:k', 151);
    expect(t.arrivals.ready('@152:k', 152)).toBeInstanceOf(Promise); // c is still asked
    t.network.down('c');
    await t.arrivals.ready('@153:k', 153); // none left to ask: served as it is here, no error
    expect(t.arrivals.ready('@154:k', 154)).toBeUndefined();
    expect(t.arrivals.stats.pendingArcs).toBe(1); // [201,251) still has a
  });

  it('keeps a leaver that only timed out as a source: the key is refused, not read as missing', async () => {
    // A busy or cut-off leaver may still hold keys it has not handed over. Dropped on a timeout,
    // its keys read as missing here, and a write started them afresh at a newer version that
    // then refused its hand-off (the loss fixed for exited leavers at 1f61eca).
    const t = setup();
    t.put('b', '@150:k', 'only on the leavers', 5);
    t.arrivals.memberLeft('b');
    t.arrivals.memberLeft('c');
    const timedOut = () => {
      throw Object.assign(new Error('UNAVAILABLE deadline exceeded'), { transport: true, unreachable: false });
    };
    const slow = { fetch: timedOut, scan: timedOut };
    t.network.serve('b', slow);
    t.network.serve('c', slow);
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(t.valueAt('d', '@150:k')).toBeUndefined();
    await expect(t.arrivals.scanRemote(101, 201, [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    t.network.serve('b', { fetch: (from, keys) => t.departures.get('b')!.fetch(from, keys), scan: () => ({ keys: [], next: 201 }) });
    await t.arrivals.ready('@150:k', 150); // it answers again: the key arrives
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 5 });
  });

  it('still refuses a key whose previous owners, still in the ring, do not answer', async () => {
    const t = setup();
    t.network.down('b');
    t.network.down('c');
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('none of its previous owners') });
    await expect(t.arrivals.ready('@151:k', 151)).rejects.toMatchObject({ code: 'UNAVAILABLE' }); // still pending
  });

  it('ends an arc on the hand-off of its first previous owner still in the ring, before those that left', async () => {
    const t = setup();
    t.arrivals.memberLeft('b'); // [101,201) was b's then c's
    expect(t.arrivals.expectsFromOther(150, 'b')).toBe(true); // c, still in the ring, sends it
    await t.network.sinkFor('b').done('d', [{ from: 101, to: 201 }]);
    expect(t.arrivals.ready('@150:k', 150)).toBeInstanceOf(Promise);
    await t.network.sinkFor('c').done('d', [{ from: 101, to: 201 }]);
    expect(t.arrivals.ready('@151:k', 151)).toBeUndefined();
  });

  it('expects no arc from a member leaving: every member leaving pushes what it holds', () => {
    const t = setup();
    t.arrivals.memberLeft('b');
    t.arrivals.memberLeft('c');
    expect(t.arrivals.expectsFromOther(150, 'c')).toBe(false); // b may exit before it pushed
    expect(t.arrivals.expectsFromOther(210, 'c')).toBe(true); // [201,251): a, still in the ring, sends it
  });

  it('lists an arc whose previous owners left and exited from what is here', async () => {
    const t = setup();
    t.arrivals.memberLeft('b');
    t.arrivals.memberLeft('c');
    t.put('b', '@150:k', 'v', 5);
    expect((await t.arrivals.scanRemote(101, 201, []))?.keys).toEqual(['@150:k']);
    t.network.down('b');
    t.network.down('c');
    expect(await t.arrivals.scanRemote(101, 201, [])).toEqual({ keys: [], next: 201 });
    expect(t.arrivals.scanRemote(101, 201, [])).toBeUndefined(); // the arc ended
  });

  // b and c die, replicas 0: d takes over b's arc (101,201), a stays on (251,...]. Keys at 150.
  const takeover = { replicas: 0, before: ringOf('a', 'b', 'c', 'd'), after: ringOf('a', 'd') };

  it('refuses a key of an arc taken over while its previous owners are all held dead, until one is back', async () => {
    const t = setup(takeover);
    t.put('b', '@150:k', 'before', 5);
    t.arrivals.memberDead('b');
    t.arrivals.memberDead('c');
    // Across a partition b still holds the key: a copy started empty here would later win.
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('held dead') });
    await expect(t.arrivals.scanRemote(120, 200, [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(t.network.calls).toEqual([]);
    t.arrivals.memberAlive('b');
    await t.arrivals.ready('@150:k', 150);
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 5 });
  });

  it('serves an arc taken over as it is here once its dead owners are forgotten', () => {
    const t = setup(takeover);
    t.arrivals.memberDead('b');
    t.arrivals.memberForgotten('b'); // forget_dead_after passed: gone for good
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined();
  });

  it('after a join, drops a dead source: asks the others, and ends the arc when none is left', async () => {
    const t = setup(); // d joined: its copies took every write since
    t.arrivals.memberDead('b'); // [101,201) was b's then c's
    t.put('c', '@150:k', 'v', 5);
    await t.arrivals.ready('@150:k', 150);
    expect(t.fetches().map((c) => c.to)).toEqual(['c']);
    t.arrivals.memberDead('c');
    expect(t.arrivals.ready('@151:k', 151)).toBeUndefined();
  });

  it('stops pulling after the window, whatever was reported', () => {
    const t = setup();
    t.clock.advance(WINDOW_MS + 1);
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined();
    expect(t.arrivals.stats.pendingArcs).toBe(0);
  });

  it('reports no arcs arriving once the window passed, though nothing asked for a key since', () => {
    const t = setup();
    expect(t.arrivals.stats.pendingArcs).toBe(2);
    t.clock.advance(WINDOW_MS + 1);
    expect(t.arrivals.stats.pendingArcs).toBe(0); // status and metrics, with no command or ring change
  });
  it('after a rejoin, pulls each owned key once more, even one pulled already in an arc handed off', async () => {
    // Back from being cut off: a peer that still held d dead may have written its keys after d
    // pulled them, and the hand-offs to d may have ended before that peer saw d again.
    const t = setup();
    t.put('b', '@150:k', 'first', 10);
    await t.arrivals.ready('@150:k', 150);
    await t.network.sinkFor('b').done('d', [{ from: 101, to: 201 }]);
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined();
    t.put('b', '@150:k', 'written by a peer that held d dead', 20);
    t.arrivals.regained(ringOf('a', 'b', 'c', 'd'));
    const again = t.arrivals.ready('@150:k', 150);
    expect(again).toBeInstanceOf(Promise);
    await again;
    expect(t.valueAt('d', '@150:k')).toMatchObject({ version: 20 });
    expect(t.arrivals.ready('@150:k', 150)).toBeUndefined(); // once
    expect(t.arrivals.stats.pendingArcs).toBe(1); // the gained arcs' bookkeeping is untouched
    t.clock.advance(WINDOW_MS + 1);
    expect(t.arrivals.ready('@160:k', 160)).toBeUndefined(); // the re-pull ends with the window
  });
});

describe('Arrivals.scanRemote: keys previous owners still hold, for a SCAN page', () => {
  it('answers nothing when the range has nothing pending', () => {
    const t = setup();
    expect(t.arrivals.scanRemote(0, 101, [])).toBeUndefined();
  });

  it('lists the previous owners\' keys in the pending part of the range', async () => {
    const t = setup();
    t.put('b', '@150:x', 'v', 1);
    t.put('c', '@160:y', 'v', 1);
    t.put('c', '@220:z', 'v', 1);
    t.put('c', '@270:outside', 'v', 1);
    const page = await t.arrivals.scanRemote(120, 260, []);
    expect(page?.next).toBe(260);
    expect([...(page?.keys ?? [])].sort()).toEqual(['@150:x', '@160:y', '@220:z']);
  });

  it('stops the page where a previous owner\'s listing was cut short', async () => {
    const t = setup();
    t.network.serve('c', {
      fetch: () => ({ states: [], deferred: [] }),
      scan: (from, to) => (from === 101 ? { keys: ['@150:x', '@190:y'], next: 160 } : { keys: ['@230:z'], next: to }),
    });
    t.network.down('b');
    const page = await t.arrivals.scanRemote(101, 251, []);
    expect(page).toEqual({ keys: ['@150:x'], next: 160 });
  });

  it('fails when no owner of a pending part answers', async () => {
    const t = setup();
    t.network.down('b');
    t.network.down('c');
    await expect(t.arrivals.scanRemote(120, 200, [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await flush();
  });

  it('does not run on less when a previous owner refuses the pull (it still holds the asker dead)', async () => {
    const t = setup();
    t.put('b', '@150:k', 'old', 10);
    t.put('c', '@150:k', 'new', 20);
    // c answers with an application error, as hand-off-wiring does for an asker it holds dead.
    t.network.serve('c', {
      fetch: () => {
        throw Object.assign(new GokvError('UNAVAILABLE', 'UNAVAILABLE c still holds d dead'), { transport: false });
      },
      scan: () => ({ keys: [], next: 0 }),
    });
    await expect(t.arrivals.ready('@150:k', 150)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(t.valueAt('d', '@150:k')).toBeUndefined();
    await flush();
  });
});

describe('Arrivals: a large pulled key', () => {
  const bigHash = (): string[] => Array.from({ length: 6 * FIELDS_PER_TURN }, (_, i) => (i % 2 === 0 ? `f${i}` : 'v'));

  it('is built over several turns before it is merged', async () => {
    let pauses = 0;
    let seen: unknown = 'not looked';
    const t = setup(undefined, 0, 0, async () => {
      if (pauses++ === 0) seen = t.store.exportKey('@150:big');
    });
    t.stores.get('c')!.mergeKey('@150:big', { type: 'hash', value: bigHash(), expireAtMs: 0, version: 20 });
    await t.arrivals.ready('@150:big', 150);
    expect(pauses).toBe(3);
    expect(seen).toBeUndefined(); // out of sight while it is built
    expect(t.valueAt('d', '@150:big')).toEqual({ type: 'hash', value: bigHash(), expireAtMs: 0, version: 20 });
  });

  it('is not merged when this node stopped owning it while it was built', async () => {
    const before = ringOf('a', 'b', 'c');
    const after = ringOf('a', 'b', 'c', 'd');
    let moved = false;
    const t = setup({ replicas: 1, before, after }, 0, 0, async () => {
      if (moved) return;
      moved = true;
      t.arrivals.onRingChange(after, before); // d is out of the ring again
    });
    t.stores.get('c')!.mergeKey('@150:big', { type: 'hash', value: bigHash(), expireAtMs: 0, version: 20 });
    await t.arrivals.ready('@150:big', 150);
    expect(moved).toBe(true);
    expect(t.valueAt('d', '@150:big')).toBeUndefined();
  });
});
