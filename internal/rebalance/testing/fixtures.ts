// Test helpers for rebalance/: small readable rings, nodes on one ManualClock, a fake network.
// Not built.
import { ManualClock, SeededRandom } from '../../clock/index.js';
import { silentLogger } from '../../log/index.js';
import { Ring } from '../../ring/index.js';
import { tablePosition } from '../../ring/testing/fixtures.js';
import { Store, type BinStr } from '../../store/index.js';
import { readableHash } from '../../store/testing/fixtures.js';
import type { ArrivingPart } from '../arrivals.js';
import { Rebalancer } from '../executor.js';
import type { RebalancerOptions } from '../options.js';
import type { StrayDeps } from '../strays.js';
import { FakeHandOffNetwork } from './fake-sink.js';

/** One vnode per member; a key `@150` sits at 150 (readableHash), so placement reads off this. */
export const POSITIONS: Readonly<Record<string, number>> = {
  'a#0': 100,
  'b#0': 200,
  'c#0': 300,
  'd#0': 250,
  'e#0': 50,
  'f#0': 260,
  'g#0': 150,
};

/** The ring of these members on POSITIONS. */
export function ringOf(...ids: string[]): Ring {
  return Ring.fromMembers(ids, 1, tablePosition(POSITIONS));
}

/**
 * The same layout scaled by UNIT (2^22 positions, 64 store buckets), for executor tests: the
 * store lists a range by bucket, so keys must sit in different buckets to make several chunks.
 */
export const UNIT = 2 ** 22;

export function spreadRingOf(...ids: string[]): Ring {
  const small = tablePosition(POSITIONS);
  return Ring.fromMembers(ids, 1, (name) => small(name) * UNIT);
}

/**
 * `count` keys spread evenly over the positions (fromUnit x UNIT, toUnit x UNIT] of a spread
 * ring, each in its own store bucket while count <= (toUnit - fromUnit) x 64.
 */
export function keysBetween(fromUnit: number, toUnit: number, count: number, tag = 'k'): BinStr[] {
  const span = (toUnit - fromUnit) * UNIT;
  return Array.from({ length: count }, (_, i) => `@${fromUnit * UNIT + 1 + Math.floor((i * span) / count)}:${tag}${i}`);
}

export const TEST_OPTIONS: RebalancerOptions = {
  debounceMs: 100,
  batchBytes: 1 << 20,
  replicas: 0,
  ackTimeoutMs: 1_000,
  chunkKeys: 4,
  retryBaseMs: 10,
  retryMaxMs: 80,
};

export interface TestNode {
  readonly id: string;
  readonly store: Store;
  readonly rebalancer: Rebalancer;
  /** What ringNow() returns; changeRing() moves it. */
  ring: Ring;
  /** The Rebalancer's `arriving` dep, once the node's receiving side is wired (testing/wiring.ts). */
  arriving?: (from: number, to: number, target: string) => readonly ArrivingPart[];
}

/** Nodes with real Stores and Rebalancers on one ManualClock, joined by a FakeHandOffNetwork. */
export class TestCluster {
  readonly clock = new ManualClock();
  readonly network = new FakeHandOffNetwork();
  readonly nodes = new Map<string, TestNode>();
  /** yieldFn calls, all nodes together. */
  yields = 0;
  /** Called on every yieldFn call (after counting). */
  onYield: (() => void) | undefined;
  /** Every node's yield to the event loop (a Rebalancer's yieldFn, a receiver's pause): counted. */
  readonly pause = async (): Promise<void> => {
    this.yields++;
    this.onYield?.();
  };

  #nextVersion = 1_000;

  constructor(
    ids: readonly string[],
    ring: Ring,
    readonly options: RebalancerOptions = TEST_OPTIONS,
  ) {
    for (const id of ids) this.addNode(id, ring);
  }

  addNode(id: string, ring: Ring): TestNode {
    const store = new Store({ clock: this.clock, random: new SeededRandom(1), hashKey: readableHash });
    const node: TestNode = { id, store, ring, rebalancer: undefined as unknown as Rebalancer };
    const rebalancer = new Rebalancer(
      {
        store,
        clock: this.clock,
        sink: this.network.sinkFor(id),
        log: silentLogger(),
        ringNow: () => node.ring,
        selfId: id,
        arriving: (from, to, target) => node.arriving?.(from, to, target) ?? [],
        yieldFn: this.pause,
      },
      this.options,
    );
    (node as { rebalancer: Rebalancer }).rebalancer = rebalancer;
    this.nodes.set(id, node);
    this.network.add(id, rebalancer);
    return node;
  }

  node(id: string): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /**
   * Node `id`'s deps for strays.ts receiveHandOff, as node/hand-off-wiring.ts builds them; strays
   * are noted with its Rebalancer unless `noteStrays` is given.
   */
  strayDeps(id: string, noteStrays?: (positions: readonly number[]) => void): StrayDeps {
    const node = this.node(id);
    return {
      store: node.store,
      selfId: id,
      ring: () => node.ring,
      position: readableHash,
      sink: this.network.sinkFor(id),
      noteStrays: noteStrays ?? ((positions) => node.rebalancer.noteStrays(positions)),
      pause: this.pause,
    };
  }

  /** Writes `key` as one hash version on each of `ids` (a leader and its replicas). */
  put(key: BinStr, ids: readonly string[], value = 'v', version = this.#nextVersion++): number {
    const state = { type: 'hash' as const, value: ['f', value], expireAtMs: 0, version };
    for (const id of ids) this.node(id).store.mergeKey(key, state);
    return version;
  }

  /** Writes each key on the owners (replicas + 1) of its position in `ring`. */
  placeAll(keys: readonly BinStr[], ring: Ring): void {
    for (const key of keys) this.put(key, ring.owners(readableHash(key), this.options.replicas + 1));
  }

  /** Moves the given nodes (default all) to `next` and tells their rebalancers. */
  changeRing(next: Ring, ids: readonly string[] = [...this.nodes.keys()]): void {
    for (const id of ids) {
      const node = this.node(id);
      const before = node.ring;
      node.ring = next;
      node.rebalancer.onRingChange(before, next);
    }
  }

  /** The ids whose store holds `key` live. */
  holders(key: BinStr): string[] {
    return [...this.nodes.values()].filter((n) => n.store.peek(key) !== undefined).map((n) => n.id);
  }

  running(): boolean {
    return [...this.nodes.values()].some((n) => n.rebalancer.progress().running);
  }

  /**
   * Lets every pending promise run, then advances the clock a step at a time (debounce,
   * backoff, ack timeouts) until `done()` (default: nothing running, no timer pending).
   */
  async settle(done = () => !this.running() && this.clock.pendingTimers() === 0, stepMs = 10): Promise<void> {
    for (let step = 0; step < 5_000; step++) {
      await flush();
      if (done()) return;
      this.clock.advance(stepMs);
    }
    throw new Error('the cluster did not settle');
  }

  stopAll(): void {
    for (const n of this.nodes.values()) n.rebalancer.stop();
  }
}

/** One turn of the event loop: every queued promise continuation runs first. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

