import type { BinStr } from '../store/index.js';
import type { KeyStateFields } from '../wire/index.js';

/** A key's full state on the hand-off wire (wire/key-state-codec.ts describes it). */
export type HandOffState = KeyStateFields;

/** A key and the version the asking node holds, for `RebalanceSink.confirm`. */
export interface KeyDigest {
  readonly key: BinStr;
  readonly version: number;
}

/**
 * How the executor reaches other nodes; declared here by its consumer. node/ satisfies it with
 * the internal gRPC hand-off stream, tests with testing/fake-sink.ts. Both calls may be made
 * concurrently for different targets; for one target the executor awaits each call before the
 * next, so a target sees its batches in the order sent. Neither call may resolve early: a
 * resolution is an acknowledgement the executor acts on (it forgets keys after it).
 */
export interface RebalanceSink {
  /**
   * Sends a batch of states to `targetId`. Resolves once the receiver has merged the whole batch
   * (its HandOffReceiver.receiveBatch returned), with how many states it applied (the others
   * were not newer than its copy). Rejects on transport failure or a refused batch; the executor
   * then retries with backoff. The executor bounds a batch by rebalance.batch_bytes.
   * `timeoutMs` (send, confirm, done): the call's deadline when given, else the transport's own
   * (messaging.message_timeout); a retry after a timeout asks for a longer one.
   */
  send(targetId: string, states: readonly HandOffState[], timeoutMs?: number): Promise<{ applied: number }>;
  /**
   * As send, from a receiver passing on keys it was handed but does not own in its ring (see
   * strays.ts) to their owners there; marked, so the owner does not pass them on again.
   */
  relay(targetId: string, states: readonly HandOffState[], timeoutMs?: number): Promise<{ applied: number }>;
  /**
   * Asks `targetId` which of these keys it holds at a lower version than given, or not at all
   * (HandOffReceiver.receiveConfirm). Resolves with those keys; every other key is held there at
   * that version or newer at the time of the answer. Rejects on transport failure.
   */
  confirm(targetId: string, digests: readonly KeyDigest[], timeoutMs?: number): Promise<Confirmation>;
  /**
   * Tells `targetId` that this node has handed it every key it holds in these arcs (each sent
   * or confirmed), so the target stops pulling them on a miss. Rejects on transport failure.
   */
  done(targetId: string, arcs: readonly HandedArc[], timeoutMs?: number): Promise<void>;
  /**
   * Pull-on-miss: the states `memberId` holds for these keys (live or tombstone; absent keys
   * are left out), and the keys it holds but left out to keep its answer under one message
   * (asked again). The member forwards later commands for the keys it sent here. Rejects on
   * failure. `chain`: how many members asked on another's behalf before this call (0 for a
   * node's own pull; see Arrivals.chainedStates).
   */
  fetch(memberId: string, keys: readonly BinStr[], chain?: number): Promise<Fetched>;
  /**
   * The keys `memberId` holds in [from, to) passing SCAN's options `args`, complete below the
   * returned `next` (cluster SCAN over a range still arriving). Rejects on failure. `chain` as
   * for fetch.
   */
  scan(memberId: string, from: number, to: number, args: readonly BinStr[], chain?: number): Promise<RangeKeys>;
  /**
   * Everything `memberId` holds in [from, to) (tombstones included), complete below the returned
   * `next`: asked before this node reports that range handed off to `forId` while it is itself
   * still receiving it from `memberId` (see Arrivals.stillArriving). `memberId` marks the keys
   * sent as moved to `forId`. Rejects on failure.
   */
  fetchRange(memberId: string, forId: string, from: number, to: number, timeoutMs?: number): Promise<RangeStates>;
}

/** One page of a range's states: complete for positions below `next`. */
export interface RangeStates {
  readonly states: readonly HandOffState[];
  readonly next: number;
  /**
   * The members the answering node is itself still receiving parts of the range from (not the
   * asker or the member the range goes to): the asker fetches the range from them too.
   */
  readonly stillFrom: readonly string[];
}

/** A source's answer to a pull (RebalanceSink.fetch). */
export interface Fetched {
  readonly states: readonly HandOffState[];
  /** Keys held there whose states did not fit this answer: not absent, to be asked for again. */
  readonly deferred: readonly BinStr[];
}

/**
 * A target's answer to `confirm`: the keys it holds at a lower version or not at all, and of
 * those the ones it still expects from another previous owner (its arc is arriving from a
 * member other than the asker), which the asker need not push yet.
 */
export interface Confirmation {
  readonly missing: readonly BinStr[];
  readonly arriving: readonly BinStr[];
}

/** Ring positions [from, to). */
export interface HandedArc {
  readonly from: number;
  readonly to: number;
}

/** One page of a range scan: keys found, complete for positions below `next`. */
export interface RangeKeys {
  readonly keys: readonly BinStr[];
  readonly next: number;
}

/** The receiving side: what the internal server calls for each hand-off message it gets. */
export interface HandOffReceiver {
  /**
   * Merges each state by version (stale never overwrites, tombstones respected); `relayed` when
   * the sender passes on keys it was handed (see strays.ts receiveHandOff).
   */
  receiveBatch(states: readonly HandOffState[], from: string, relayed: boolean): { applied: number } | Promise<{ applied: number }>;
  /** Which keys of `digests` `from` should push here (see Confirmation); synchronous. */
  receiveConfirm(digests: readonly KeyDigest[], from: string): Confirmation;
}
