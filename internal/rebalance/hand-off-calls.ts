import type { Logger } from '../log/index.js';
import type { Store } from '../store/index.js';
import type { ArrivingPart } from './arrivals.js';
import type { Counters, Settings } from './options.js';
import { Aborted, AckTimeout, type RunControl } from './run-control.js';
import type { HandOffState, RebalanceSink } from './sink.js';
import { splitBatches } from './states.js';

// What one hand-off run shares, and its calls to peers: retried until the run stops, with a
// deadline per peer that grows once the peer is seen to be slow.

/**
 * A call that timed out is retried with twice its deadline, up to this many times ackTimeoutMs:
 * a target alive but slower than messaging.message_timeout (merging under load) acknowledges
 * within one of them, instead of being sent the same batch again and again without end. The
 * raised deadline stays the target's for the rest of the run (HandOffContext.ackDeadlines).
 */
const MAX_ACK_TIMEOUT_FACTOR = 8;

/**
 * A batch's deadline grows by a second per this many bytes: one large key makes a batch of tens
 * of MB, which its receiver decodes and merges at about 15 MB/s (a hash of 1.5M fields, 48 MB:
 * 3.5 s on the 2-core test machine). Under the base deadline it timed out and was sent again,
 * each copy costing the receiver the same seconds once more.
 */
const BYTES_PER_EXTRA_SECOND = 4 * 1024 * 1024;

/** The extra deadline a call carrying `bytes` gets (0 below BYTES_PER_EXTRA_SECOND). */
export const extraDeadlineMs = (bytes: number): number => Math.floor(bytes / BYTES_PER_EXTRA_SECOND) * 1000;

/** Everything one run of a plan touches. */
export interface HandOffContext {
  readonly store: Store;
  readonly sink: RebalanceSink;
  readonly log: Logger;
  readonly control: RunControl;
  readonly yieldFn: () => Promise<void>;
  readonly counters: Counters;
  readonly settings: Settings;
  /** The parts of a range still arriving here that a target did not own before (Arrivals.stillArriving). */
  readonly arriving?: (from: number, to: number, target: string) => readonly ArrivingPart[];
  /**
   * Per peer (a target, or a source of collectArriving), the deadline its calls have reached in
   * this run (ackTimeoutMs until one times out). A new Map per run: a slow target then costs one
   * timed-out call per run, not one per batch, each of which it would merge and be sent again.
   */
  readonly ackDeadlines: Map<string, number>;
}

export async function sendStates(ctx: HandOffContext, target: string, states: readonly HandOffState[]): Promise<void> {
  for (const batch of splitBatches(states, ctx.settings.batchBytes)) {
    await retrying(ctx, target, (timeoutMs) => ctx.sink.send(target, batch.states, timeoutMs), batch.bytes);
    ctx.counters.keysSent += batch.states.length;
    ctx.counters.bytesSent += batch.bytes;
  }
}

/**
 * Calls `call` until it succeeds, with backoff; throws Aborted once the run is stopped. After a
 * timeout (the target may have merged the call and answered late) the next attempt, and every
 * later call to that target in the run, gets twice the deadline, up to MAX_ACK_TIMEOUT_FACTOR
 * times ackTimeoutMs. A call carrying `bytes` gets extraDeadlineMs(bytes) beyond it.
 */
export async function retrying<T>(
  ctx: HandOffContext,
  target: string,
  call: (timeoutMs: number | undefined) => Promise<T>,
  bytes = 0,
): Promise<T> {
  const { retryBaseMs, retryMaxMs, ackTimeoutMs } = ctx.settings;
  for (let attempt = 0; ; attempt++) {
    ctx.control.check();
    const timeoutMs = ctx.ackDeadlines.get(target) ?? ackTimeoutMs;
    const callMs = timeoutMs > 0 ? timeoutMs + extraDeadlineMs(bytes) : 0;
    try {
      return await ctx.control.race(call(callMs > 0 ? callMs : undefined), callMs);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      ctx.counters.batchesFailed++;
      if (timedOut(err)) raiseDeadline(ctx, target, timeoutMs);
      const delayMs = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt, 20));
      // The reason alone: a stack on every retry of an unreachable peer says nothing more.
      const reason = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ peer: target, attempt: attempt + 1, delayMs, timeoutMs: callMs, reason }, 'hand-off call failed; retrying');
      await ctx.control.sleep(delayMs);
    }
  }
}

/**
 * After a call to `peer` ran out of `timeoutMs`: its calls get twice that for the rest of the
 * run. Never lowered: a call begun at a shorter deadline may time out after a later one raised it.
 */
export function raiseDeadline(ctx: Pick<HandOffContext, 'ackDeadlines' | 'settings'>, peer: string, timeoutMs: number): void {
  const raised = Math.min(timeoutMs * 2, ctx.settings.ackTimeoutMs * MAX_ACK_TIMEOUT_FACTOR);
  ctx.ackDeadlines.set(peer, Math.max(ctx.ackDeadlines.get(peer) ?? 0, raised));
}

/** A call that ran out of time (ours or the transport's deadline), not one refused or unreachable. */
export function timedOut(err: unknown): boolean {
  if (err instanceof AckTimeout) return true;
  const e = err as { transport?: boolean; unreachable?: boolean };
  return e?.transport === true && e.unreachable !== true;
}
