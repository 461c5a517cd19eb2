import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.js';
import type { Gossiper } from '../membership/index.js';
import { createHasher } from '../ring/index.js';
import { ClusterState } from './cluster-state.js';

// The write fence for a node that was paused (SIGSTOP, a long GC) or held dead: writes wait
// for an exchange with a peer that STARTED after the evidence, whichever ran first on waking.

const SUSPECT_AFTER_MS = 300;
const DEAD_AFTER_MS = 600;

async function setup() {
  const clock = new ManualClock();
  const freshness = { lastTickMs: clock.monotonic(), longStallAtMs: -Infinity, lastExchangeMs: clock.monotonic() };
  /** Peers whose latest answer held us alive at our current incarnation. */
  const seeUsAlive = new Set<string>(['b', 'c']);
  let ring = ['a', 'b', 'c'];
  const gossiper = {
    freshness,
    ringMembers: () => ring,
    members: () => ['a', 'b', 'c'].map((id) => ({ id, status: ring.includes(id) ? 'alive' : 'dead' })),
    member: (id: string) => ({ status: ring.includes(id) ? 'alive' : 'dead' }),
    seesUsAlive: (id: string) => seeUsAlive.has(id),
    deadAfterMs: DEAD_AFTER_MS,
  } as unknown as Gossiper;
  const state = new ClusterState('a', gossiper, await createHasher(), 8, clock, SUSPECT_AFTER_MS, false, 'accept');
  const rejoins: number[] = [];
  state.onRejoined = () => rejoins.push(clock.monotonic());
  const setRing = (ids: string[]) => {
    ring = ids;
    state.onChange([]);
  };
  /** A heartbeat exchange completed now (the pause fence's condition, met). */
  const exchanged = () => {
    clock.advance(1);
    freshness.lastTickMs = clock.monotonic();
    freshness.lastExchangeMs = clock.monotonic();
  };
  return { clock, freshness, state, seeUsAlive, rejoins, setRing, exchanged };
}

describe('ClusterState write fence', () => {
  it('holds writes when the overdue gossip tick ran before any write, until a newer exchange', async () => {
    const { clock, freshness, state } = await setup();
    expect(state.writable()).toBe(true);
    clock.advance(5_000); // SIGSTOP ... SIGCONT
    // The timer fires first on waking: the tick records the long stall, before any write.
    freshness.lastTickMs = clock.monotonic();
    freshness.longStallAtMs = clock.monotonic();
    // An exchange sent before the pause and answered after it is as old as its sending.
    expect(state.writable()).toBe(false);
    clock.advance(50);
    freshness.lastExchangeMs = clock.monotonic();
    expect(state.writable()).toBe(true);
  });

  it('holds writes when a queued write runs before the overdue tick', async () => {
    const { clock, freshness, state } = await setup();
    clock.advance(5_000);
    expect(state.writable()).toBe(false); // the tick has not run yet
    freshness.lastTickMs = clock.monotonic(); // a tick that did not see the stall (guard reset)
    expect(state.writable()).toBe(false); // the evidence is kept
    clock.advance(10);
    freshness.lastExchangeMs = clock.monotonic();
    expect(state.writable()).toBe(true);
  });

  it('holds writes after learning it was held dead, until the next exchange', async () => {
    const { clock, freshness, state } = await setup();
    clock.advance(100);
    freshness.lastTickMs = clock.monotonic();
    freshness.lastExchangeMs = clock.monotonic();
    state.onChange([{ kind: 'refuted', id: 'a', claimed: 'dead', incarnation: 2 }]);
    expect(state.writeRefusal()).toMatch(/paused/);
    clock.advance(100);
    freshness.lastExchangeMs = clock.monotonic();
    expect(state.writeRefusal()).toMatch(/rejoined the cluster and is pulling its keys again/); // b and c see it alive: one refusal while it re-pulls
    expect(state.writable()).toBe(true);
  });
});

// Members learn of a healed partition at different moments: a member that still holds this node
// dead still leads its keys. Writes here wait until every member sees this node alive again.
describe('ClusterState rejoin wait', () => {
  it('after being held dead: waits for every known member to see it alive, then re-pulls once', async () => {
    const { clock, state, seeUsAlive, rejoins, exchanged } = await setup();
    seeUsAlive.clear();
    clock.advance(50);
    state.onChange([{ kind: 'refuted', id: 'a', claimed: 'dead', incarnation: 2 }]);
    exchanged();
    expect(state.writeRefusal()).toMatch(/waiting until b, c see it alive/);
    seeUsAlive.add('b');
    expect(state.writeRefusal()).toMatch(/waiting until c see it alive/);
    expect(rejoins).toEqual([]);
    seeUsAlive.add('c');
    expect(state.writeRefusal()).toMatch(/pulling its keys again/);
    expect(rejoins).toEqual([clock.monotonic()]);
    expect(state.writable()).toBe(true);
    expect(rejoins).toHaveLength(1);
  });

  it('waits at most dead_after for a member that never answers', async () => {
    const { clock, state, seeUsAlive, rejoins, exchanged } = await setup();
    seeUsAlive.delete('c');
    state.onChange([{ kind: 'refuted', id: 'a', claimed: 'dead', incarnation: 2 }]);
    exchanged();
    clock.advance(DEAD_AFTER_MS - 3);
    exchanged();
    expect(state.writeRefusal()).toMatch(/waiting until c see it alive/);
    clock.advance(1);
    expect(state.writeRefusal()).toMatch(/pulling its keys again/);
    expect(state.writable()).toBe(true);
    expect(rejoins).toHaveLength(1);
  });

  it('after being alone with peers before: waits too; a first join does not', async () => {
    const { clock, state, seeUsAlive, rejoins, setRing, exchanged } = await setup();
    expect(state.writable()).toBe(true); // started in a ring of three: no wait
    setRing(['a']); // b and c held dead: alone
    seeUsAlive.clear();
    exchanged();
    setRing(['a', 'b']);
    expect(state.writeRefusal()).toMatch(/waiting until b, c see it alive/);
    seeUsAlive.add('b').add('c');
    expect(state.writeRefusal()).toMatch(/pulling its keys again/);
    expect(rejoins).toEqual([clock.monotonic()]);
    expect(state.writable()).toBe(true);
  });

  it('names at most five of the members it waits for', async () => {
    const clock = new ManualClock();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const gossiper = {
      freshness: { lastTickMs: 0, longStallAtMs: -Infinity, lastExchangeMs: 1 },
      ringMembers: () => ids,
      members: () => ids.map((id) => ({ id, status: 'alive' })),
      member: () => ({ status: 'alive' }),
      seesUsAlive: () => false,
      deadAfterMs: DEAD_AFTER_MS,
    } as unknown as Gossiper;
    const state = new ClusterState('a', gossiper, await createHasher(), 8, clock, SUSPECT_AFTER_MS);
    state.onChange([{ kind: 'refuted', id: 'a', claimed: 'dead', incarnation: 2 }]);
    clock.advance(1);
    (gossiper.freshness as { lastExchangeMs: number }).lastExchangeMs = clock.monotonic();
    (gossiper.freshness as { lastTickMs: number }).lastTickMs = clock.monotonic();
    expect(state.writeRefusal()).toMatch(/waiting until b, c, d, e, f and 2 more see it alive/);
  });

  it('a node alone does not wait (it is writable or refused as a minority)', async () => {
    const { state, seeUsAlive, setRing } = await setup();
    seeUsAlive.clear();
    state.onChange([{ kind: 'refuted', id: 'a', claimed: 'dead', incarnation: 2 }]);
    setRing(['a']);
    expect(state.writable()).toBe(true);
  });
});

describe('ClusterState joined', () => {
  it('stays joined once it saw a peer, even if nothing asked before the peers went away', async () => {
    const clock = new ManualClock();
    let ring = ['a'];
    const gossiper = {
      freshness: { lastTickMs: 0, longStallAtMs: -Infinity, lastExchangeMs: 0 },
      ringMembers: () => ring,
      members: () => ring.map((id) => ({ id, status: 'alive' })),
      member: () => ({ status: 'alive' }),
    } as unknown as Gossiper;
    const state = new ClusterState('a', gossiper, await createHasher(), 8, clock, SUSPECT_AFTER_MS, true);
    expect(state.joined()).toBe(false); // seeds configured, no peer heard yet
    ring = ['a', 'b'];
    state.onChange([]); // the gossiper reports a change: the ring is rebuilt
    ring = ['a']; // b is out of reach before any command reached this node
    state.onChange([]);
    expect(state.joined()).toBe(true);
  });
});
