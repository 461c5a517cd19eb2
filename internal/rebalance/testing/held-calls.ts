import type { ManualClock } from '../../clock/index.js';
import type { FakeHandOffNetwork, SinkCall } from './fake-sink.js';
import { flush } from './fixtures.js';

/**
 * Holds hand-off calls before they reach their receiver, and answers after the receiver applied
 * them, until released (in order, or newest first): how the property tests reorder and delay.
 */
export class HeldCalls {
  #held: Array<() => void> = [];
  #holdBudget = 0;
  #holdKind: SinkCall['kind'] | undefined;
  #ackBudget = 0;

  constructor(network: FakeHandOffNetwork) {
    network.beforeDeliver = (call) => {
      if (this.#holdBudget > 0 && (this.#holdKind === undefined || this.#holdKind === call.kind)) {
        this.#holdBudget--;
        return new Promise<void>((resolve) => this.#held.push(resolve));
      }
      return undefined;
    };
    network.afterDeliver = () => {
      if (this.#ackBudget <= 0) return undefined;
      this.#ackBudget--;
      return new Promise<void>((resolve) => this.#held.push(resolve));
    };
  }

  /** The next `count` calls (of `kind`; any when undefined) wait before reaching their receiver. */
  hold(count: number, kind?: SinkCall['kind']): void {
    this.#holdBudget = count;
    this.#holdKind = kind;
  }

  /** The next `count` answers wait after their receiver applied the call. */
  holdAcks(count: number): void {
    this.#ackBudget = count;
  }

  /** Lets every held call and answer go, newest first when `reverse`. */
  release(reverse = false): void {
    const held = this.#held;
    this.#held = [];
    for (const resolve of reverse ? held.reverse() : held) resolve();
  }

  /** Holds nothing more from now on (settling). */
  stopHolding(): void {
    this.#holdBudget = 0;
    this.#ackBudget = 0;
  }

  /** Calls and answers held now. */
  get waiting(): number {
    return this.#held.length;
  }
}

/** The steps of the interleaving properties that only move time or held calls. */
export type TimingStep =
  /** The next `count` hand-off calls (of `call`, any when undefined) wait before reaching their receiver. */
  | { readonly kind: 'hold'; readonly count: number; readonly call?: SinkCall['kind'] }
  /** The next `count` answers wait after their receiver applied the call. */
  | { readonly kind: 'holdAck'; readonly count: number }
  /** Lets held calls go, newest first when `reverse`. */
  | { readonly kind: 'release'; readonly reverse: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  /** Lets `n` event-loop turns run. */
  | { readonly kind: 'tick'; readonly n: number };

/** Applies a timing step, then lets the event loop turn (`n` times for a tick, once otherwise). */
export async function timingStep(s: TimingStep, calls: HeldCalls, clock: ManualClock): Promise<void> {
  if (s.kind === 'hold') calls.hold(s.count, s.call);
  else if (s.kind === 'holdAck') calls.holdAcks(s.count);
  else if (s.kind === 'release') calls.release(s.reverse);
  else if (s.kind === 'advance') clock.advance(s.ms);
  await turns(s.kind === 'tick' ? s.n : 1);
}

/** Lets `n` event-loop turns run. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await flush();
}

/** What the interleaving properties' simulated clusters share (see runSim). */
export interface SimRun<S> {
  readonly violations: string[];
  readonly log: string[];
  step(s: S): Promise<void>;
  /** Heals, converges and runs the clock until nothing is pending. */
  settle(): Promise<void>;
  /** Checks where every key ended; run only when the steps and the settling broke nothing. */
  checkPlacement(): void;
  stop(): void;
}

/**
 * Runs the steps (stopping at the first violation), settles, checks placement; the sim is
 * stopped and taken out of `live` as it ends (thousands of runs share one test: a longer search
 * ran out of heap while they were kept). `live` lets afterEach stop one a test left running.
 */
export async function runSim<S>(sim: SimRun<S>, steps: readonly S[], live: Set<SimRun<S>>): Promise<SimRun<S>> {
  live.add(sim);
  try {
    for (const s of steps) {
      await sim.step(s);
      if (sim.violations.length > 0) return sim;
    }
    await sim.settle();
    if (sim.violations.length === 0) sim.checkPlacement();
    return sim;
  } finally {
    sim.stop();
    live.delete(sim);
  }
}
