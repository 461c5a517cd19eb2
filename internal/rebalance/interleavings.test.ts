import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ring } from '../ring/index.js';
import type { BinStr, KeyState } from '../store/index.js';
import { readableHash } from '../store/testing/fixtures.js';
import type { Arrivals } from './arrivals.js';
import { nothingToHand } from './hand-off.js';
import type { SinkCall } from './testing/fake-sink.js';
import { HeldCalls, runSim, timingStep, turns, type SimRun, type TimingStep } from './testing/held-calls.js';
import { flush, spreadRingOf, TEST_OPTIONS, TestCluster, UNIT } from './testing/fixtures.js';
import { cutOrHeal, wireReceivingSide } from './testing/wiring.js';

// Rebalance under fine-grained interleavings: membership changes (joins, graceful leaves, a
// rejoin after a leave), nodes cut off and back, hand-off calls held and released out of order,
// acknowledgements delayed past a retry, and writes and deletes routed to each key's leader the
// way router.ts does (pull-on-miss through Arrivals first, then applied at the leader and its
// replicas), all on one ManualClock with the nodes wired as node/hand-off-wiring.ts wires them.
// Checked at every step: the newest write of a live key is held by some node (a sender forgets
// only after its receivers acknowledged), and the leader a write reaches holds the key's newest
// state before it stamps its own (no window serves "missing" or an older copy, so no write gets a
// version at or below an earlier one). Checked once healed and settled: every key is on exactly
// its owners (replicas + 1) at its newest version, and a deleted key is on none.
//
// Not modelled: replication's own repair (a write is applied only while its leader and replicas
// are all reachable, so every applied write is acknowledged and on every owner), crashes that
// lose a store, per-node ring views that disagree (one global ring), expiry and eviction.

// Spread ring (units of 2^22): e 50, a 100, g 150, b 200, d 250, f 260, c 300.
const POOL = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
const INITIAL = ['a', 'b', 'c'];
const KEYS: BinStr[] = [30, 75, 120, 170, 220, 255, 280, 500].map((u, i) => `@${u * UNIT + 1}:k${i}`);
const WINDOW_MS = 300_000;

type Step =
  | { readonly kind: 'write'; readonly key: number; readonly del: boolean }
  | { readonly kind: 'join'; readonly node: number }
  | { readonly kind: 'leave'; readonly node: number }
  | { readonly kind: 'down'; readonly node: number }
  | { readonly kind: 'up'; readonly node: number }
  | TimingStep;

interface Written {
  readonly version: number;
  readonly deleted: boolean;
  readonly value: string;
}

class Sim {
  readonly n: number;
  readonly cluster: TestCluster;
  ring: Ring;
  readonly arrivals = new Map<string, Arrivals>();
  readonly leaving = new Set<string>();
  readonly exited = new Set<string>();
  readonly down = new Set<string>();
  readonly inflight = new Set<Promise<void>>();
  readonly last = new Map<BinStr, Written>();
  readonly violations: string[] = [];
  readonly log: string[] = [];
  readonly #calls: HeldCalls;
  #ops = 0;

  constructor(readonly replicas: number) {
    this.n = replicas + 1;
    this.ring = spreadRingOf(...INITIAL);
    this.cluster = new TestCluster(INITIAL, this.ring, { ...TEST_OPTIONS, replicas, chunkKeys: 1, leaveTimeoutMs: 3_600_000 });
    for (const id of INITIAL) this.#wire(id);
    this.#calls = new HeldCalls(this.cluster.network);
  }

  /** The node's receiving side as node/hand-off-wiring.ts builds it. */
  #wire(id: string): void {
    const { arrivals } = wireReceivingSide(this.cluster, id, { replicas: this.replicas, windowMs: WINDOW_MS, leaving: () => this.leaving.has(id) });
    this.arrivals.set(id, arrivals);
  }

  /** Nodes whose process runs (in the ring, or leaving and not exited yet). */
  running(): string[] {
    return [...this.cluster.nodes.keys()].filter((id) => !this.exited.has(id));
  }

  #setRing(next: Ring): void {
    this.ring = next;
    for (const id of this.running()) {
      const node = this.cluster.node(id);
      const before = node.ring;
      node.ring = next;
      node.rebalancer.onRingChange(before, next); // ignored by a node leaving
      if (this.leaving.has(id)) continue;
      const alone = before.members.length <= 1 && next.members.length > 1;
      this.arrivals.get(id)!.onRingChange(alone ? spreadRingOf(...next.members.filter((m) => m !== id)) : before, next);
    }
  }

  async step(s: Step): Promise<void> {
    const { network, clock } = this.cluster;
    switch (s.kind) {
      case 'write':
        this.#write(KEYS[s.key]!, s.del);
        break;
      case 'join': {
        const id = POOL[s.node]!;
        if (this.ring.has(id) || this.leaving.has(id)) return;
        if (this.exited.has(id)) {
          // Back as a new process with an empty store, after the others forgot it.
          for (const a of this.arrivals.values()) a.memberForgotten(id);
          this.exited.delete(id);
          this.down.delete(id);
          network.up(id);
          network.heal(id);
        }
        this.cluster.addNode(id, spreadRingOf(id));
        this.#wire(id);
        this.log.push(`join ${id}`);
        this.#setRing(spreadRingOf(...this.ring.members, id));
        break;
      }
      case 'leave': {
        const id = POOL[s.node]!;
        if (!this.ring.has(id) || this.ring.size - 1 < Math.max(2, this.n)) return;
        this.log.push(`leave ${id}`);
        const node = this.cluster.node(id);
        this.leaving.add(id);
        for (const other of this.running()) if (other !== id) this.arrivals.get(other)!.memberLeft(id);
        const leaveRing = (): Ring => spreadRingOf(...node.ring.members.filter((m) => m !== id));
        // As node/hand-off-wiring.ts leave(): a store with nothing to hand exits at once.
        const handing = nothingToHand(node.store) ? Promise.resolve(true) : node.rebalancer.handOffAll(leaveRing);
        this.#setRing(spreadRingOf(...this.ring.members.filter((m) => m !== id)));
        const exit = handing.then((ok) => {
          if (!ok) this.violations.push(`leave of ${id} did not complete`);
          node.rebalancer.stop(); // the process exits
          this.exited.add(id);
          this.leaving.delete(id);
          network.down(id);
          this.log.push(`exited ${id}`);
        });
        this.#track(exit);
        break;
      }
      case 'down':
      case 'up':
        cutOrHeal(this.cluster, this.down, this.exited, s.kind, POOL[s.node]!);
        break;
      default:
        await timingStep(s, this.#calls, clock);
        this.checkHeld();
        return;
    }
    await turns(1);
    this.checkHeld();
  }

  #track(p: Promise<void>): void {
    const tracked = p.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  /** A write or delete as router.ts routes it: pulled at its leader if still arriving, then applied there and on the replicas. */
  #write(key: BinStr, del: boolean): void {
    const op = ++this.#ops;
    const position = readableHash(key);
    const run = async (): Promise<void> => {
      for (let hop = 0; hop < 16; hop++) {
        const owners = this.ring.owners(position, this.n);
        const leader = owners[0]!;
        // Replication is not modelled: a write runs only while its leader and replicas are reachable.
        if (owners.some((id) => this.down.has(id))) return;
        const pulling = this.arrivals.get(leader)!.ready(key, position);
        if (pulling !== undefined) {
          try {
            await pulling;
          } catch {
            return; // UNAVAILABLE: not applied
          }
          continue; // routed again: the ring may have moved on
        }
        this.#apply(op, key, del, owners);
        return;
      }
    };
    this.#track(run());
  }

  #apply(op: number, key: BinStr, del: boolean, owners: readonly string[]): void {
    const leader = this.cluster.node(owners[0]!).store;
    const prev = this.last.get(key);
    const held = leader.exportKey(key);
    const heldVersion = held?.version ?? 0;
    if (heldVersion < (prev?.version ?? 0)) {
      this.violations.push(`op ${op} on ${key}: leader ${owners[0]} holds version ${heldVersion}, the newest write is ${prev!.version}`);
    }
    let state: KeyState;
    let value = '';
    if (del) {
      if (leader.peek(key) === undefined) return; // DEL of a missing key writes nothing
      const version = leader.delete(key)!;
      state = { deleted: true, version };
    } else {
      value = `w${op}`;
      state = { type: 'hash', value: ['f', value], expireAtMs: 0, version: leader.nextVersion(key) };
      leader.mergeKey(key, state, true);
    }
    if (prev !== undefined && state.version <= prev.version) {
      this.violations.push(`op ${op} on ${key} stamped ${state.version}, not above the earlier write's ${prev.version}`);
    }
    for (const replica of owners.slice(1)) this.cluster.node(replica).store.mergeKey(key, state, true);
    this.log.push(`${del ? 'del' : 'set'} ${key} v${state.version} at ${owners.join(',')}`);
    this.last.set(key, { version: state.version, deleted: del, value });
  }

  /** The newest write of every live key is held by a running node. */
  checkHeld(): void {
    for (const [key, w] of this.last) {
      if (w.deleted) continue;
      const somewhere = this.running().some((id) => {
        const s = this.cluster.node(id).store.exportKey(key);
        return s !== undefined && s.deleted !== true && s.version === w.version;
      });
      if (!somewhere) this.violations.push(`${key} v${w.version} held by no node`);
    }
  }

  /** Heals everything and runs the clock until nothing is running or pending. */
  async settle(): Promise<void> {
    const { network, clock } = this.cluster;
    this.#calls.stopHolding();
    for (const id of this.down) network.heal(id);
    this.down.clear();
    for (let i = 0; i < 20_000; i++) {
      this.#calls.release();
      await flush();
      this.checkHeld();
      const busy =
        this.inflight.size > 0 ||
        this.#calls.waiting > 0 ||
        this.running().some((id) => this.cluster.node(id).rebalancer.progress().running) ||
        clock.pendingTimers() > 0;
      if (!busy) {
        for (const id of this.exited) for (const a of this.arrivals.values()) a.memberForgotten(id);
        return;
      }
      clock.advance(50);
    }
    this.violations.push('did not settle');
  }

  /** Every key on exactly its owners at its newest version; a deleted one nowhere. */
  checkPlacement(): void {
    for (const key of KEYS) {
      const w = this.last.get(key);
      const owners = w === undefined || w.deleted ? [] : [...this.ring.owners(readableHash(key), this.n)].sort();
      const holders = this.running().filter((id) => this.cluster.node(id).store.peek(key) !== undefined).sort();
      if (holders.join() !== owners.join()) {
        this.violations.push(`${key} held by [${holders.join()}], owners [${owners.join()}]${w?.deleted === true ? ' (deleted)' : ''}`);
        continue;
      }
      for (const id of holders) {
        const s = this.cluster.node(id).store.exportKey(key);
        const value = s !== undefined && s.deleted !== true ? s.value[1] : undefined;
        if (s?.version !== w!.version || value !== w!.value) {
          this.violations.push(`${key} on ${id} at v${s?.version} ${value}, newest is v${w!.version} ${w!.value}`);
        }
      }
    }
  }

  stop(): void {
    this.cluster.stopAll();
    this.#calls.release();
  }
}

const nodeIx = fc.integer({ min: 0, max: POOL.length - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), key: fc.integer({ min: 0, max: KEYS.length - 1 }), del: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), node: nodeIx }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), node: nodeIx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('down' as const), node: nodeIx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('up' as const), node: nodeIx }) },
  {
    weight: 1,
    arbitrary: fc.record(
      { kind: fc.constant('hold' as const), count: fc.integer({ min: 1, max: 4 }), call: fc.constantFrom<SinkCall['kind']>('send', 'confirm', 'done', 'fetch') },
      { requiredKeys: ['kind', 'count'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('holdAck' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), reverse: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 10, 50, 100, 1_000, 2_500) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 4 }) }) },
);
const scenarioArb = fc.record({ replicas: fc.constantFrom(0, 1), steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }) });

const sims = new Set<SimRun<Step>>();
afterEach(() => {
  for (const s of sims) s.stop();
  sims.clear();
});

/** Runs the steps, heals, settles; the violations found (empty when every invariant held). */
async function run(replicas: number, steps: readonly Step[]): Promise<{ violations: string[]; log: string[] }> {
  return runSim(new Sim(replicas), steps, sims);
}

describe('rebalance under interleavings (property)', () => {
  it('keeps every write, never resurrects a delete, and places every key on exactly its owners', async () => {
    // Seeded and bounded for CI. For a longer search: REBALANCE_RUNS=5000 REBALANCE_SEED=<n>.
    const numRuns = Number(process.env.REBALANCE_RUNS ?? 200);
    const seed = Number(process.env.REBALANCE_SEED ?? 20260101);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ replicas, steps }) => {
        const { violations } = await run(replicas, steps);
        expect(violations).toEqual([]);
      }),
      { seed, numRuns },
    );
  }, 600_000);
});

describe('rebalance under interleavings: cases the property found', () => {
  it('a leaver holding only a tombstone hands it over, so the next write of the key is stamped above the delete', async () => {
    // replicas 0. c leads k6 (280): set, del (tombstone at c only), c leaves. a leads k6 now and
    // pulls it from c, which has exited: a found nothing and stamped its write at the wall clock,
    // below the delete's version (versions of a key only grow, DESIGN section 8).
    const { violations } = await run(0, [
      { kind: 'write', key: 6, del: false },
      { kind: 'write', key: 6, del: true },
      { kind: 'leave', node: 2 },
      { kind: 'write', key: 6, del: false },
    ]);
    expect(violations).toEqual([]);
  });

  it('a leaver holding only a tombstone hands it over, so a copy its sender still holds does not come back', async () => {
    // replicas 0. c leads k4 (220) and hands it to d (joining); d merges it, but c's ack is held
    // past its deadline, so c still holds the key. The client deletes k4 at d (its leader now),
    // then d leaves: d held only the tombstone and exited without handing it, so c, owner again,
    // kept its copy and the deleted key was back.
    const { violations } = await run(0, [
      { kind: 'write', key: 4, del: false },
      { kind: 'holdAck', count: 3 },
      { kind: 'join', node: 3 },
      { kind: 'advance', ms: 100 },
      { kind: 'tick', n: 4 },
      { kind: 'write', key: 4, del: true },
      { kind: 'tick', n: 4 },
      { kind: 'leave', node: 3 },
      { kind: 'advance', ms: 1_000 },
      { kind: 'tick', n: 4 },
    ]);
    expect(violations).toEqual([]);
  });
});
