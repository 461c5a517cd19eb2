import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.js';
import type { Gossiper } from '../membership/index.js';
import { createHasher } from '../ring/index.js';
import { ClusterState } from './cluster-state.js';

// The write fence for a node that was paused (SIGSTOP, a long GC) or held dead: writes wait
// for an exchange with a peer that STARTED after the evidence, whichever ran first on waking.

const SUSPECT_AFTER_MS = 300;

async function setup() {
  const clock = new ManualClock();
  const freshness = { lastTickMs: clock.monotonic(), longStallAtMs: -Infinity, lastExchangeMs: clock.monotonic() };
  const gossiper = {
    freshness,
    ringMembers: () => ['a', 'b', 'c'],
    members: () => ['a', 'b', 'c'].map((id) => ({ id, status: 'alive' })),
    member: () => ({ status: 'alive' }),
  } as unknown as Gossiper;
  const state = new ClusterState('a', gossiper, await createHasher(), 8, clock, SUSPECT_AFTER_MS);
  return { clock, freshness, state };
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
    expect(state.writable()).toBe(false);
    clock.advance(100);
    freshness.lastExchangeMs = clock.monotonic();
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
