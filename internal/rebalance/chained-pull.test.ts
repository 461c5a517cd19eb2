import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { GokvError } from '../errors/index.js';
import { silentLogger } from '../log/index.js';
import { Store, type BinStr } from '../store/index.js';
import { readableHash } from '../store/testing/fixtures.js';
import { Arrivals, MAX_CHAIN } from './arrivals.js';
import { answerFetch, answerScan, Departures } from './departures.js';
import { mergeStates, missingKeys } from './states.js';
import { FakeHandOffNetwork } from './testing/fake-sink.js';
import { flush, ringOf } from './testing/fixtures.js';

// The chained pull: a node asked for a key it is itself still to receive gets it from its own
// previous owners before answering. One vnode each (a 100, b 200, d 250, f 260, c 300), replicas
// 0 unless said: c leads `@220:k` in [a,b,c]; f joins and gains [201,261) from c; d joins after
// it (in d's view f was the leader) and takes [201,251) from f before c handed it to f.
const WINDOW_MS = 60_000;
const K = '@220:k';
const ABC = ringOf('a', 'b', 'c');
const ABCF = ringOf('a', 'b', 'c', 'f');
const ABCDF = ringOf('a', 'b', 'c', 'd', 'f');

interface TestNode {
  readonly store: Store;
  readonly departures: Departures;
  readonly arrivals: Arrivals;
}

function setup(replicas = 0) {
  const clock = new ManualClock();
  const network = new FakeHandOffNetwork();
  const nodes = new Map<string, TestNode>();
  for (const id of ['a', 'b', 'c', 'd', 'f']) {
    const store = new Store({ clock, random: new SeededRandom(1), hashKey: readableHash });
    const departures = new Departures({ store, clock }, { markerTtlMs: WINDOW_MS });
    const arrivals = new Arrivals(
      { store, selfId: id, sink: network.sinkFor(id), clock, log: silentLogger(), position: readableHash },
      { replicas, windowMs: WINDOW_MS },
    );
    nodes.set(id, { store, departures, arrivals });
    network.add(id, { receiveBatch: (states) => mergeStates(store, states), receiveConfirm: (d) => ({ missing: missingKeys(store, d), arriving: [] }) });
    network.onDone(id, (from, arcs) => arrivals.handed(from, arcs));
    network.serve(id, {
      // As node/hand-off-wiring.ts fetchKeys and scanRange.
      fetch: (from, keys, chain) => answerFetch(arrivals, departures, from, keys, chain),
      scan: (from, to, args, asker, chain) => answerScan(arrivals, (f, t) => store.scan(f, t, 1_000), readableHash, asker, { from, to, args }, chain),
    });
  }
  const node = (id: string) => nodes.get(id)!;
  const put = (id: string, key: BinStr, value: string, version: number) =>
    node(id).store.mergeKey(key, { type: 'hash', value: ['f', value], expireAtMs: 0, version });
  const valueAt = (id: string, key: BinStr) => node(id).store.exportKey(key);
  /** `asker`'s FetchKeys to `member`, as Arrivals sends it. */
  const fetch = (asker: string, member: string, keys: BinStr[]) => network.sinkFor(asker).fetch(member, keys);
  const fetchesTo = (member: string) => network.calls.filter((c) => c.kind === 'fetch' && c.to === member);
  /** `asker`'s ScanRange to `member`, as Arrivals.scanRemote sends it. */
  const scan = (asker: string, member: string, from: number, to: number) => network.sinkFor(asker).scan(member, from, to, []);
  const scansBy = (member: string) => network.calls.filter((c) => c.kind === 'scan' && c.from === member).map((c) => c.to);
  const fJoins = () => node('f').arrivals.onRingChange(ABC, ABCF);
  /** d joins seeing f: f loses [201,251) before c handed it over; d pulls it from f. */
  const dJoins = () => {
    node('f').arrivals.onRingChange(ABCF, ABCDF);
    node('d').arrivals.onRingChange(ABCF, ABCDF);
  };
  return { clock, network, node, put, valueAt, fetch, fetchesTo, scan, scansBy, fJoins, dJoins };
}

/**
 * replicas 1; d and f each see the other as a previous owner of K's arc, with c (d's view came
 * from [a,b,c,f], f's from [a,b,c,d]); c holds K at version 20, and d's calls to c time out.
 */
function eachOthersSource() {
  const t = setup(1);
  t.node('d').arrivals.onRingChange(ABCF, ABCDF);
  t.node('f').arrivals.onRingChange(ringOf('a', 'b', 'c', 'd'), ABCDF);
  t.put('c', K, 'at c', 20);
  t.network.beforeDeliver = (call) => {
    if (call.from === 'd' && call.to === 'c') throw Object.assign(new Error('UNAVAILABLE deadline exceeded'), { transport: true });
  };
  return t;
}

function refusing(): { fetch: () => never; scan: () => never } {
  const refuse = (): never => {
    throw Object.assign(new GokvError('UNAVAILABLE', 'UNAVAILABLE c still holds f dead'), { transport: false });
  };
  return { fetch: refuse, scan: refuse };
}

describe('Arrivals.chainedStates: a node asked for a key it is still to receive gets it first', () => {
  it('answers a key of an arc still arriving and owned here once its own pull brought it', async () => {
    const t = setup();
    t.fJoins();
    t.put('c', K, 'acknowledged at c', 10);
    const answer = await t.fetch('d', 'f', [K]);
    expect(answer.states).toMatchObject([{ key: K, version: 10 }]);
    expect(t.valueAt('f', K)).toMatchObject({ version: 10 }); // f owns it: its pull merged it
    expect(t.node('c').departures.movedTo(K, () => true)).toBe('f');
    expect(t.node('f').departures.movedTo(K, () => true)).toBe('d');
  });

  it('answers a key of an arc lost to a newer ring with the newest copy, without storing it', async () => {
    const t = setup();
    t.fJoins();
    t.dJoins();
    t.put('c', K, 'at c', 20);
    t.put('f', K, 'older at f', 10);
    t.put('c', '@230:j', 'older at c', 25);
    t.put('f', '@230:j', 'newer at f', 30);
    const answer = await t.fetch('d', 'f', [K, '@230:j']);
    expect(answer.states).toMatchObject([
      { key: K, version: 20, value: ['f', 'at c'] },
      { key: '@230:j', version: 30, value: ['f', 'newer at f'] },
    ]);
    expect(t.valueAt('f', K)).toMatchObject({ version: 10 }); // not f's to keep
    expect(t.fetchesTo('c').map((c) => [...c.keys])).toEqual([[K, '@230:j']]); // one batch
    expect(t.node('c').departures.movedTo(K, () => true)).toBe('f'); // c's writes go on to f, then d
  });

  it('passes a request on at most MAX_CHAIN times: past that it is refused, not passed on (a cycle ends)', async () => {
    const t = setup();
    t.fJoins();
    t.dJoins(); // f lost [201,251) before c handed it: f would fetch K from c
    t.put('c', K, 'at c', 20);
    // Asked on another's behalf once already: f passes it on, one further along the chain.
    expect((await t.network.sinkFor('d').fetch('f', [K], MAX_CHAIN - 1)).states).toMatchObject([{ key: K, version: 20 }]);
    expect(t.fetchesTo('c').map((c) => c.chain)).toEqual([MAX_CHAIN]);
    // At the bound: refused (retryable, a refusal rather than a transport failure), c not asked.
    await expect(t.network.sinkFor('d').fetch('f', [K], MAX_CHAIN)).rejects.toMatchObject({ transport: false, message: expect.stringMatching(/UNAVAILABLE .*not passed on/) });
    await expect(t.network.sinkFor('d').scan('f', 201, 251, [], MAX_CHAIN)).rejects.toMatchObject({ transport: false, message: expect.stringMatching(/UNAVAILABLE .*not passed on/) });
    expect(t.fetchesTo('c')).toHaveLength(1);
    expect(t.network.calls.filter((c) => c.kind === 'scan' && c.from === 'f')).toEqual([]);
    // A node's own pull starts a chain: f's ask of c carries 1 when d's pull (0) reached it.
    await t.fetch('d', 'f', [K]);
    expect(t.fetchesTo('c').map((c) => c.chain)).toEqual([MAX_CHAIN, 1]);
  });

  it('fetches as lost a key whose arc a newer ring took while its own pull was out', async () => {
    const t = setup();
    t.fJoins();
    t.put('c', K, 'at c', 20);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    t.network.beforeDeliver = (call) => (call.from === 'f' && call.kind === 'fetch' && t.fetchesTo('c').length === 1 ? held : undefined);
    const answer = t.fetch('d', 'f', [K]);
    for (let i = 0; i < 20 && t.fetchesTo('c').length === 0; i++) await flush(); // f's own pull is out
    t.dJoins(); // f's pull is answered after f stopped owning K: it merges nothing
    release();
    expect((await answer).states).toMatchObject([{ key: K, version: 20 }]);
    expect(t.valueAt('f', K)).toBeUndefined();
  });

  const endings: [string, (t: ReturnType<typeof setup>) => unknown][] = [
    ['its previous owner reports it handed off', (t) => t.node('f').arrivals.handed('c', [{ from: 201, to: 261 }])],
    ['the pull window passed', (t) => t.clock.advance(WINDOW_MS + 1)],
    ['its previous owners are forgotten', (t) => t.node('f').arrivals.memberForgotten('c')],
  ];
  it.each(endings)('stops fetching a lost arc once %s', async (_name, end) => {
    const t = setup();
    t.fJoins();
    t.dJoins();
    t.put('c', K, 'at c', 20);
    expect((await t.fetch('d', 'f', [K])).states).toMatchObject([{ version: 20 }]);
    end(t);
    expect((await t.fetch('d', 'f', [K])).states).toEqual([]); // from f's store alone
    expect(t.fetchesTo('c')).toHaveLength(1);
  });

  it('refuses (retryable) when a previous owner refuses: the asker\'s command is refused, not run on less', async () => {
    const t = setup();
    t.fJoins();
    t.dJoins();
    t.put('c', K, 'at c', 20);
    t.network.serve('c', refusing());
    await expect(t.fetch('d', 'f', [K])).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false, message: expect.stringContaining('retry') });
    // d's own pull of K (a command for it at d) reads that as a refusal, not as f gone.
    await expect(t.node('d').arrivals.ready(K, 220)).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false });
    expect(t.valueAt('d', K)).toBeUndefined();
  });

  it('refuses (retryable) when none of its previous owners answers, for an arc still arriving too', async () => {
    const t = setup();
    t.fJoins();
    t.network.down('c');
    await expect(t.fetch('d', 'f', [K])).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false });
    t.dJoins();
    await expect(t.fetch('d', 'f', [K])).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false });
    t.network.up('c');
    t.put('c', K, 'at c', 20);
    expect((await t.fetch('d', 'f', [K])).states).toMatchObject([{ version: 20 }]);
  });

  it('does not wait on an asker it is itself pulling from: two new owners of a key pulling it from each other', async () => {
    // replicas 1: in [a,b,c,d,f] K's owners are d, f. d's view came from [a,b,c,f] (owners f, c),
    // f's from [a,b,c,d] (owners d, c): each pulls K from the other and c. Had f waited on its
    // own pull (which asks d) to answer d, each would wait on the other for good. d is cut off
    // from c: it gets c's copy through f.
    const t = eachOthersSource();
    await t.node('d').arrivals.ready(K, 220);
    expect(t.valueAt('d', K)).toMatchObject({ version: 20 });
    expect(t.valueAt('f', K)).toBeUndefined(); // f answered without pulling for itself
  }, 2_000);
});

describe('Arrivals.chainedScan: a node asked to list a range it is still to receive lists its previous owners\' keys too', () => {
  it('lists a range still arriving here with its previous owner\'s keys, below the asked end', async () => {
    const t = setup();
    t.fJoins(); // f is still to receive [201,261) from c
    t.put('c', K, 'acknowledged at c', 10);
    t.put('c', '@255:beyond', 'outside the range asked', 10);
    t.put('f', '@230:mine', 'written at f', 5);
    const page = await t.scan('d', 'f', 201, 251);
    expect(page.next).toBe(251);
    expect([...page.keys].sort()).toEqual(['@220:k', '@230:mine']);
    expect(t.valueAt('f', K)).toBeUndefined(); // listed, not pulled
  });

  it('lists a range lost to a newer ring before it was handed here, until it ends', async () => {
    const t = setup();
    t.fJoins();
    t.dJoins(); // [201,251) is d's now; c never handed it to f
    t.put('c', K, 'at c', 20);
    // d's SCAN page over its arc still arriving asks f, its previous owner there.
    expect((await t.node('d').arrivals.scanRemote(201, 251, []))?.keys).toEqual([K]);
    expect(t.scansBy('f')).toEqual(['c']);
    t.node('f').arrivals.handed('c', [{ from: 201, to: 261 }]);
    expect((await t.scan('d', 'f', 201, 251)).keys).toEqual([]); // from f's store alone
    expect(t.scansBy('f')).toEqual(['c']);
  });

  it('does not ask the asker back: two new owners of a range each listing it at the other', async () => {
    // replicas 1, as in the chained pull above: d and f each see the other as a previous owner
    // of K's arc (with c). d is cut off from c: it gets c's keys through f.
    const t = eachOthersSource();
    const page = await t.node('d').arrivals.scanRemote(201, 251, []);
    expect(page?.keys).toEqual([K]);
    expect(t.scansBy('f')).toEqual(['c']); // not d
  }, 2_000);

  it('refuses (retryable) when its previous owner refuses: the SCAN page is refused, not listed on less', async () => {
    const t = setup();
    t.fJoins();
    t.dJoins();
    t.put('c', K, 'at c', 20);
    t.network.serve('c', refusing());
    await expect(t.scan('d', 'f', 201, 251)).rejects.toMatchObject({ code: 'UNAVAILABLE', transport: false, message: expect.stringContaining('retry') });
    await expect(t.node('d').arrivals.scanRemote(201, 251, [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('answers complete only below where its previous owner\'s page was cut short', async () => {
    const t = setup();
    t.fJoins();
    t.network.serve('c', { fetch: () => ({ states: [], deferred: [] }), scan: () => ({ keys: ['@210:a'], next: 215 }) });
    t.put('f', '@212:mine', 'v', 1);
    t.put('f', '@230:later', 'v', 1); // past the cut: on the next page
    expect(await t.scan('d', 'f', 201, 251)).toEqual({ keys: ['@212:mine', '@210:a'], next: 215 });
  });

  it('lists from its store alone, asking nobody, where nothing in the range is arriving or lost', async () => {
    const t = setup();
    t.fJoins();
    t.put('f', '@270:mine', 'v', 1);
    expect(await t.scan('d', 'f', 261, 301)).toEqual({ keys: ['@270:mine'], next: 301 });
    expect(t.scansBy('f')).toEqual([]);
  });
});
