import type { Logger } from '../log/index.js';
import type { BinStr, Store } from '../store/index.js';
import type { HandOffPlan, PlannedArc } from './plan.js';
import type { Counters, Settings } from './options.js';
import { Aborted, type RunControl } from './run-control.js';
import type { HandedArc, HandOffState, KeyDigest, RebalanceSink } from './sink.js';

/** Handed-off arcs told to a target per message. */
const DONE_BATCH_ARCS = 256;
import { splitBatches, toWire } from './states.js';

// Why no acknowledged write is lost here (DESIGN.md sections 1 and 8):
// - A key leaves this node only through store.forget(key, v): no tombstone, and only while its
//   version is still v, the version every target acknowledged (send) or confirmed holding at v
//   or newer (drop). A write that landed meanwhile keeps the key and is sent again.
// - A sender forgets only after every member the list gained has merged the key; a dropper
//   (an old member leaving the list, not the sender) forgets only after EVERY member of the new
//   list holds it: it asks with (key, version) digests and pushes the states they lack. So if
//   the sender dies mid-way, the droppers' copies still reach the new owners.
// - Receivers merge by version (stale never overwrites newer; tombstones refuse older copies).

/** Everything one run of a plan touches. */
export interface HandOffContext {
  readonly store: Store;
  readonly sink: RebalanceSink;
  readonly log: Logger;
  readonly control: RunControl;
  readonly yieldFn: () => Promise<void>;
  readonly counters: Counters;
  readonly settings: Settings;
}

/**
 * Runs a plan to its end, arc by arc, one chunk of keys per event-loop turn. Throws Aborted
 * when the control stops it (at a chunk boundary or between retries). Returns how many keys
 * were kept here because they kept changing while being handed off.
 */
export async function runPlan(ctx: HandOffContext, plan: HandOffPlan): Promise<number> {
  const { counters, store } = ctx;
  counters.arcsPending = plan.arcs.length;
  counters.keysPlanned = 0;
  counters.keysDone = 0;
  for (const arc of plan.arcs) counters.keysPlanned += store.countRange(arc.from, arc.to);
  // Arcs handed off, told to each target in batches: receivers then stop pulling them on a miss.
  const handed = new Map<string, HandedArc[]>();
  const tell = (target: string, arcs: HandedArc[]) => retrying(ctx, target, () => ctx.sink.done(target, arcs));
  let kept = 0;
  for (const arc of plan.arcs) {
    const keptHere = await handArc(ctx, arc);
    kept += keptHere;
    counters.arcsPending--;
    if (keptHere > 0) continue; // a key here is newer than what the targets hold: keep them pulling
    for (const target of arc.targets) {
      const arcs = handed.get(target) ?? [];
      arcs.push({ from: arc.from, to: arc.to });
      handed.set(target, arcs);
      if (arcs.length >= DONE_BATCH_ARCS) {
        handed.delete(target);
        await tell(target, arcs);
      }
    }
  }
  await eachTarget([...handed.keys()], (target) => tell(target, handed.get(target)!));
  return kept;
}

async function handArc(ctx: HandOffContext, arc: PlannedArc): Promise<number> {
  const { chunkKeys, resendRounds } = ctx.settings;
  let changed: BinStr[] = [];
  ctx.control.check();
  for (const keys of ctx.store.rangeChunks(arc.from, arc.to, chunkKeys)) {
    ctx.control.check();
    for (const key of await handKeys(ctx, arc, keys)) changed.push(key);
    ctx.counters.keysDone += keys.length;
    await ctx.yieldFn();
  }
  // Keys written here while in flight: send their newer state, forget them if it holds still.
  for (let round = 0; round < resendRounds && changed.length > 0; round++) {
    const again: BinStr[] = [];
    for (let i = 0; i < changed.length; i += chunkKeys) {
      ctx.control.check();
      for (const key of await handKeys(ctx, arc, changed.slice(i, i + chunkKeys))) again.push(key);
      await ctx.yieldFn();
    }
    changed = again;
  }
  if (changed.length > 0) {
    ctx.counters.keysKept += changed.length;
    ctx.log.warn({ from: arc.from, to: arc.to, keys: changed.length }, 'keys kept: written throughout their hand-off');
  }
  return changed.length;
}

/**
 * Hands one chunk of an arc's keys to every target and, when this node leaves the arc's list,
 * forgets each key whose version is still the one acknowledged. Returns the keys that changed
 * meanwhile (to send again).
 */
async function handKeys(ctx: HandOffContext, arc: PlannedArc, keys: readonly BinStr[]): Promise<BinStr[]> {
  const { store } = ctx;
  const versions = new Map<BinStr, number>();
  if (arc.role === 'send') {
    const states: HandOffState[] = [];
    for (const key of keys) {
      const state = store.exportKey(key);
      if (state === undefined) continue;
      states.push(toWire(key, state));
      versions.set(key, state.version);
    }
    if (states.length === 0) return [];
    await eachTarget(arc.targets, (target) => sendStates(ctx, target, states));
  } else {
    const digests: KeyDigest[] = [];
    for (const key of keys) {
      const version = store.versionOf(key);
      if (version === 0) continue;
      digests.push({ key, version });
      versions.set(key, version);
    }
    if (digests.length === 0) return [];
    await eachTarget(arc.targets, async (target) => {
      const missing = await retrying(ctx, target, () => ctx.sink.confirm(target, digests));
      const states: HandOffState[] = [];
      for (const key of missing) {
        const state = versions.has(key) ? store.exportKey(key) : undefined;
        if (state !== undefined) states.push(toWire(key, state));
      }
      await sendStates(ctx, target, states);
    });
  }
  return arc.keepAfter ? [] : forgetHandedOff(ctx, versions);
}

/** Forgets keys still at the acknowledged version; returns those written since. */
function forgetHandedOff(ctx: HandOffContext, versions: ReadonlyMap<BinStr, number>): BinStr[] {
  const changed: BinStr[] = [];
  for (const [key, version] of versions) {
    if (ctx.store.forget(key, version)) ctx.counters.keysDropped++;
    else if (ctx.store.versionOf(key) > version) changed.push(key);
  }
  return changed;
}

async function sendStates(ctx: HandOffContext, target: string, states: readonly HandOffState[]): Promise<void> {
  for (const batch of splitBatches(states, ctx.settings.batchBytes)) {
    await retrying(ctx, target, () => ctx.sink.send(target, batch.states));
    ctx.counters.keysSent += batch.states.length;
    ctx.counters.bytesSent += batch.bytes;
  }
}

/** Calls `call` until it succeeds, with backoff; throws Aborted once the run is stopped. */
async function retrying<T>(ctx: HandOffContext, target: string, call: () => Promise<T>): Promise<T> {
  const { retryBaseMs, retryMaxMs, ackTimeoutMs } = ctx.settings;
  for (let attempt = 0; ; attempt++) {
    ctx.control.check();
    try {
      return await ctx.control.race(call(), ackTimeoutMs);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      ctx.counters.batchesFailed++;
      const delayMs = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt, 20));
      ctx.log.warn({ peer: target, attempt: attempt + 1, delayMs, err }, 'hand-off call failed; retrying');
      await ctx.control.sleep(delayMs);
    }
  }
}

/** Runs `work` for every target at once and waits for all; rethrows the first failure. */
async function eachTarget(targets: readonly string[], work: (target: string) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(targets.map(work));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
