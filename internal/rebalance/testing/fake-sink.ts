// Test helper: an in-memory hand-off network between receivers. Not built.
import type { BinStr } from '../../store/index.js';
import type { Fetched, HandedArc, HandOffReceiver, HandOffState, KeyDigest, RangeKeys, RangeStates, RebalanceSink } from '../sink.js';

/**
 * The answering side of fetch and scan calls. An error it throws reaches the caller as a refusal
 * (`transport: false`, as over the wire: wire/status.ts) unless it says otherwise.
 */
export interface FakeSource {
  /** `chain`: as InternalService.fetchKeys (how many members asked on another's behalf before). */
  fetch(from: string, keys: readonly BinStr[], chain: number): Fetched | Promise<Fetched>;
  /** As InternalService.scanRange: `asker` is the member whose SCAN page asks. */
  scan(from: number, to: number, args: readonly BinStr[], asker: string, chain: number): RangeKeys | Promise<RangeKeys>;
  /** As InternalService.fetchRange; a source without it holds nothing. */
  fetchRange?(asker: string, forId: string, from: number, to: number): RangeStates;
}

export type CallKind = 'send' | 'confirm' | 'done' | 'fetch' | 'scan' | 'fetchRange';

/** One sink call as the network saw it. */
export interface SinkCall {
  readonly from: string;
  readonly to: string;
  readonly kind: CallKind;
  readonly keys: readonly BinStr[];
  /** done: the arcs reported handed off. */
  readonly arcs?: readonly HandedArc[];
  /** send: passed on by a receiver that does not own the keys (RebalanceSink.relay). */
  readonly relayed?: boolean;
  /** fetch, scan: how many members asked on another's behalf before this call. */
  readonly chain?: number;
}

/**
 * Connects nodes' RebalanceSinks to other nodes' HandOffReceivers, asynchronously (each call
 * answers on a later microtask), copying states as a wire would. `beforeDeliver` runs before a
 * call reaches its receiver: a test fails the call by throwing, delays it by returning a promise
 * it settles later, or writes to a store in the middle of a hand-off. A down node rejects every
 * call to it and every call it makes (a crashed process).
 */
export class FakeHandOffNetwork {
  /** Every call made, in order, delivered or not. */
  readonly calls: SinkCall[] = [];
  /** Calls that reached their receiver. */
  readonly delivered: SinkCall[] = [];
  beforeDeliver: ((call: SinkCall) => void | Promise<void>) | undefined;
  /**
   * Runs after a send, confirm or done reached its receiver and was applied there, before the
   * caller sees the answer: a test delays an acknowledgement past the caller's deadline by
   * returning a promise it settles later (the receiver has merged already), or fails it by throwing.
   */
  afterDeliver: ((call: SinkCall) => void | Promise<void>) | undefined;
  readonly #receivers = new Map<string, HandOffReceiver>();
  readonly #down = new Set<string>();
  readonly #cut = new Set<string>();
  readonly #applied = new Map<string, number>();
  readonly #done = new Map<string, (from: string, arcs: readonly HandedArc[]) => void>();
  readonly #sources = new Map<string, FakeSource>();

  add(id: string, receiver: HandOffReceiver): void {
    this.#receivers.set(id, receiver);
  }

  /** What `id` does with a `done` (e.g. Arrivals.handed). */
  onDone(id: string, handler: (from: string, arcs: readonly HandedArc[]) => void): void {
    this.#done.set(id, handler);
  }

  /** How `id` answers fetch and scan calls (e.g. a Departures over its store). */
  serve(id: string, source: FakeSource): void {
    this.#sources.set(id, source);
  }

  down(id: string): void {
    this.#down.add(id);
  }

  up(id: string): void {
    this.#down.delete(id);
  }

  /**
   * A partition: every call to or from `id` runs out of time (a transport failure, but not an
   * unreachable peer: the process is there, so a leaver cut off is not taken for one that exited).
   */
  cut(id: string): void {
    this.#cut.add(id);
  }

  heal(id: string): void {
    this.#cut.delete(id);
  }

  /** States the receiver `to` applied (newer than its copy), from any sender. */
  appliedTo(to: string): number {
    return this.#applied.get(to) ?? 0;
  }

  /** Full states delivered to `to` (any sender), counted per key. */
  statesDeliveredTo(to: string): number {
    return this.delivered.filter((c) => c.kind === 'send' && c.to === to).reduce((n, c) => n + c.keys.length, 0);
  }

  sinkFor(from: string): RebalanceSink {
    const send = async (to: string, states: readonly HandOffState[], relayed: boolean) => {
      const call: SinkCall = { from, to, kind: 'send', keys: states.map((s) => s.key), ...(relayed ? { relayed } : {}) };
      const receiver = await this.#deliver(call);
      const result = await receiver.receiveBatch(states.map(copyState), from, relayed);
      this.#applied.set(to, this.appliedTo(to) + result.applied);
      await this.afterDeliver?.(call);
      return result;
    };
    return {
      send: (to, states) => send(to, states, false),
      relay: (to, states) => send(to, states, true),
      confirm: async (to, digests) => {
        const call: SinkCall = { from, to, kind: 'confirm', keys: digests.map((d) => d.key) };
        const receiver = await this.#deliver(call);
        const answer = receiver.receiveConfirm(digests.map((d): KeyDigest => ({ ...d })), from);
        await this.afterDeliver?.(call);
        return answer;
      },
      done: async (to, arcs) => {
        const call: SinkCall = { from, to, kind: 'done', keys: [], arcs: arcs.map((a) => ({ ...a })) };
        await this.#deliver(call);
        this.#done.get(to)?.(from, arcs);
        await this.afterDeliver?.(call);
      },
      fetch: async (to, keys, chain = 0) => {
        await this.#deliver({ from, to, kind: 'fetch', keys, chain });
        const source = this.#sources.get(to);
        if (source === undefined) throw new Error(`UNAVAILABLE ${to} serves no fetch`);
        const fetched = await answered(() => source.fetch(from, keys, chain));
        return { states: fetched.states.map(copyState), deferred: [...fetched.deferred] };
      },
      scan: async (to, fromPos, toPos, args, chain = 0) => {
        await this.#deliver({ from, to, kind: 'scan', keys: [], chain });
        const source = this.#sources.get(to);
        if (source === undefined) throw new Error(`UNAVAILABLE ${to} serves no scan`);
        return answered(() => source.scan(fromPos, toPos, args, from, chain));
      },
      fetchRange: async (to, forId, fromPos, toPos) => {
        await this.#deliver({ from, to, kind: 'fetchRange', keys: [] });
        const source = this.#sources.get(to);
        if (source === undefined) throw new Error(`UNAVAILABLE ${to} serves no fetch`);
        const page = await answered(() => source.fetchRange?.(from, forId, fromPos, toPos) ?? { states: [], next: toPos, stillFrom: [] });
        return { states: page.states.map(copyState), next: page.next, stillFrom: [...page.stillFrom] };
      },
    };
  }

  async #deliver(call: SinkCall): Promise<HandOffReceiver> {
    this.calls.push(call);
    await Promise.resolve();
    await this.beforeDeliver?.(call);
    const receiver = this.#receivers.get(call.to);
    if (this.#cut.has(call.from) || this.#cut.has(call.to)) {
      throw Object.assign(new Error(`UNAVAILABLE ${call.to} did not answer in time: cut off from ${call.from}`), { transport: true });
    }
    if (this.#down.has(call.from) || this.#down.has(call.to) || receiver === undefined) {
      // As the real sink marks a call whose connection failed (wire/status.ts): a crashed process.
      throw Object.assign(new Error(`UNAVAILABLE ${call.to} unreachable from ${call.from}`), { transport: true, unreachable: true });
    }
    this.delivered.push(call);
    return receiver;
  }
}

/** The source's answer; what it throws, as a refusal unless marked (a handler's error crosses the wire with its code). */
async function answered<T>(answer: () => T | Promise<T>): Promise<T> {
  try {
    return await answer();
  } catch (err) {
    if (typeof err === 'object' && err !== null && !('transport' in err)) Object.assign(err, { transport: false });
    throw err;
  }
}

function copyState(s: HandOffState): HandOffState {
  return { ...s, value: s.value.slice() };
}
