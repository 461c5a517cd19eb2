import type { Clock } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import type { Ring } from '../ring/index.js';
import type { Store } from '../store/index.js';
import type { ArrivingPart } from './arrivals.js';
import type { RebalanceSink } from './sink.js';

/** Keys read from the store and handed off per event-loop turn (one chunk between yields). */
export const DEFAULT_CHUNK_KEYS = 1024;
/** First wait after a failed batch; doubles per attempt up to DEFAULT_RETRY_MAX_MS. */
export const DEFAULT_RETRY_BASE_MS = 100;
export const DEFAULT_RETRY_MAX_MS = 5_000;
/** Rounds re-sending keys written during their hand-off before keeping them here (and logging). */
export const DEFAULT_RESEND_ROUNDS = 3;
/** Arcs handed off at once (each is a few round trips; one at a time is latency-bound). */
export const DEFAULT_ARC_PARALLELISM = 8;
/** How long drops wait for this node's sends to finish before starting anyway. */
export const DEFAULT_DROP_DELAY_MS = 5_000;
/** How long a graceful leave (handOffAll) may take before giving up and logging what is left. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 30_000;

/** What the Rebalancer needs from the node; all injected (STYLE 8). */
export interface RebalancerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly sink: RebalanceSink;
  readonly log: Logger;
  /** The node's current ring; a run stops at its next chunk once this ring's version changes. */
  readonly ringNow: () => Ring;
  readonly selfId: string;
  /**
   * Whether a member can send (alive, not suspect) in this node's view; picks each arc's sender.
   * This node always counts as alive. Default: every ring member.
   */
  readonly alive?: (id: string) => boolean;
  /** Yields to the event loop between chunks. Default: setImmediate. Tests inject a counter. */
  readonly yieldFn?: () => Promise<void>;
  /**
   * The parts of [from, to) still arriving here that `target` did not own before (Arrivals.
   * stillArriving): fetched from their sources and handed on before the range is reported
   * handed off to `target`. Default: none.
   */
  readonly arriving?: (from: number, to: number, target: string) => readonly ArrivingPart[];
}

export interface RebalancerOptions {
  /** `rebalance.rebalance_debounce`: quiet time after a ring change before planning; 0 = at once. */
  readonly debounceMs: number;
  /** `rebalance.batch_bytes`: estimated bytes per batch sent (a larger single key goes alone). */
  readonly batchBytes: number;
  /** `cluster.replicas`: a preference list has replicas + 1 members. */
  readonly replicas: number;
  /** `messaging.message_timeout`: a sink call not answered in time fails and is retried; 0 = none. */
  readonly ackTimeoutMs: number;
  readonly chunkKeys?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly resendRounds?: number;
  readonly leaveTimeoutMs?: number;
  readonly dropDelayMs?: number;
  readonly arcParallelism?: number;
}

/** Hand-off progress for status and metrics; counters are cumulative since start. */
export interface RebalanceProgress {
  /** A hand-off (a ring change's or a leave's) is running now. */
  readonly running: boolean;
  /** Arcs of the current or last plan not handed off yet. */
  readonly arcsPending: number;
  /** Keys in the arcs of the current or last plan when it started, and how many were handled. */
  readonly keysPlanned: number;
  readonly keysDone: number;
  /** Full key states acknowledged by receivers (a key sent to two targets counts twice). */
  readonly keysSent: number;
  readonly bytesSent: number;
  /** Keys forgotten here after their hand-off was acknowledged. */
  readonly keysDropped: number;
  /** Sink calls that failed or timed out (each was retried). */
  readonly batchesFailed: number;
  /** Keys left here because they kept changing during their hand-off (see resendRounds). */
  readonly keysKept: number;
  /** Wall-clock ms when the current or last run started; 0 before the first. */
  readonly startedAtMs: number;
  /** The ring version of the last hand-off that ran to the end; undefined before one did. */
  readonly lastCompletedRingVersion: number | undefined;
}

export type Counters = {
  -readonly [K in 'arcsPending' | 'keysPlanned' | 'keysDone' | 'keysSent' | 'bytesSent' | 'keysDropped' | 'batchesFailed' | 'keysKept']: number;
};

/** The options with every default filled in. */
export type Settings = Required<RebalancerOptions>;

export function settingsOf(options: RebalancerOptions): Settings {
  return {
    chunkKeys: DEFAULT_CHUNK_KEYS,
    retryBaseMs: DEFAULT_RETRY_BASE_MS,
    retryMaxMs: DEFAULT_RETRY_MAX_MS,
    resendRounds: DEFAULT_RESEND_ROUNDS,
    leaveTimeoutMs: DEFAULT_LEAVE_TIMEOUT_MS,
    dropDelayMs: DEFAULT_DROP_DELAY_MS,
    arcParallelism: DEFAULT_ARC_PARALLELISM,
    ...options,
  };
}
