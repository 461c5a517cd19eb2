// Test helper: an in-memory hand-off network between receivers. Not built.
import type { BinStr } from '../../store/index.js';
import type { HandOffReceiver, HandOffState, KeyDigest, RebalanceSink } from '../sink.js';

export type CallKind = 'send' | 'confirm';

/** One sink call as the network saw it. */
export interface SinkCall {
  readonly from: string;
  readonly to: string;
  readonly kind: CallKind;
  readonly keys: readonly BinStr[];
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
  readonly #receivers = new Map<string, HandOffReceiver>();
  readonly #down = new Set<string>();
  readonly #applied = new Map<string, number>();

  add(id: string, receiver: HandOffReceiver): void {
    this.#receivers.set(id, receiver);
  }

  down(id: string): void {
    this.#down.add(id);
  }

  up(id: string): void {
    this.#down.delete(id);
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
    return {
      send: async (to, states) => {
        const receiver = await this.#deliver({ from, to, kind: 'send', keys: states.map((s) => s.key) });
        const result = receiver.receiveBatch(states.map(copyState));
        this.#applied.set(to, this.appliedTo(to) + result.applied);
        return result;
      },
      confirm: async (to, digests) => {
        const receiver = await this.#deliver({ from, to, kind: 'confirm', keys: digests.map((d) => d.key) });
        return receiver.receiveConfirm(digests.map((d): KeyDigest => ({ ...d })));
      },
    };
  }

  async #deliver(call: SinkCall): Promise<HandOffReceiver> {
    this.calls.push(call);
    await Promise.resolve();
    await this.beforeDeliver?.(call);
    const receiver = this.#receivers.get(call.to);
    if (this.#down.has(call.from) || this.#down.has(call.to) || receiver === undefined) {
      throw new Error(`UNAVAILABLE ${call.to} unreachable from ${call.from}`);
    }
    this.delivered.push(call);
    return receiver;
  }
}

function copyState(s: HandOffState): HandOffState {
  return { ...s, value: s.value.slice() };
}
