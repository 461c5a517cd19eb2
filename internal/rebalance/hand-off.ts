import { splitByBytes, type BinStr, type Store } from '../store/index.js';
import { collectArriving, collects } from './collect-arriving.js';
import { retrying, sendStates, type HandOffContext } from './hand-off-calls.js';
import type { HandOffPlan, PlannedArc } from './plan.js';
import type { HandedArc, HandOffState, KeyDigest } from './sink.js';
import { toWire } from './states.js';

/** Handed-off arcs told to a target per message. */
const DONE_BATCH_ARCS = 256;

// Why no acknowledged write is lost here (DESIGN.md sections 1 and 8):
// - A key leaves this node only through store.forget(key, v): no tombstone, and only while its
//   version is still v, the version every target acknowledged (send) or confirmed holding at v
//   or newer (drop). A write that landed meanwhile keeps the key and is sent again.
// - A sender forgets only after every member the list gained has merged the key; a dropper
//   (an old member leaving the list, not the sender) forgets only after EVERY member of the new
//   list holds it: it asks with (key, version) digests and pushes the states they lack. So if
//   the sender dies mid-way, the droppers' copies still reach the new owners.
// - Receivers merge by version (stale never overwrites newer; tombstones refuse older copies).
// - Tombstones of the arc are handed too, so a member that missed a delete (cut off, down)
//   drops its old copy instead of keeping it until it leads the key.

/**
 * Whether a store holds nothing a hand-off would send: no live key and no tombstone (a deletion
 * is handed too, so that a copy that missed it elsewhere is dropped rather than kept).
 */
export function nothingToHand(store: Store): boolean {
  return store.size === 0 && store.tombstoneCount === 0;
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
  const tell = (target: string, arcs: HandedArc[]) => retrying(ctx, target, (timeoutMs) => ctx.sink.done(target, arcs, timeoutMs));
  // A node that held nothing when the run began has nothing placed by the old ring: what
  // arrives here meanwhile (hand-offs to it, new writes) is placed by the new one already.
  // It only tells its targets that its arcs are done (a joiner's first run, a fresh cluster).
  // Tombstones count: deletions are handed too.
  const empty = nothingToHand(store);
  // Sources that could not be read for a range in this run: not asked again by it (a source cut
  // off would otherwise cost every arc COLLECT_ATTEMPTS deadlines).
  const unreadable = new Set<string>();
  let kept = 0;
  const handOne = async (arc: PlannedArc): Promise<void> => {
    const keptHere = empty ? 0 : await handArc(ctx, arc);
    kept += keptHere;
    counters.arcsPending--;
    if (keptHere > 0) return; // a key here is newer than what the targets hold: keep them pulling
    for (const target of arc.targets) {
      if (!(await collectArriving(ctx, arc, target, unreadable))) continue; // it keeps pulling from us
      const told = handed.get(target) ?? [];
      told.push({ from: arc.from, to: arc.to });
      handed.set(target, told);
      if (told.length >= DONE_BATCH_ARCS) {
        handed.delete(target);
        await tell(target, told);
      }
    }
  };
  // Arcs are small (a vnode's share) and each costs round trips: a few run at once.
  const lane = async (arcs: readonly PlannedArc[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < arcs.length) await handOne(arcs[next++]!);
    };
    const workers = Array.from({ length: Math.min(ctx.settings.arcParallelism, arcs.length) }, () => worker());
    const results = await Promise.allSettled(workers);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  // Sends run first, drops once this node's sends are done (or after dropDelayMs, so a send to
  // an unreachable target does not hold them back): a dropper confirming an arc before its
  // sender delivered it would push a copy the sender is about to send too.
  const sends = plan.arcs.filter((a) => a.role === 'send');
  // A node holding nothing has nothing to confirm as a dropper, but still collects and reports
  // the arcs it is itself receiving (a member leaving before its own keys arrived).
  const drops = plan.arcs.filter((a) => a.role === 'drop' && (!empty || collects(ctx, a)));
  if (empty) counters.arcsPending = sends.length + drops.length;
  const sending = lane(sends);
  const dropping = (async () => {
    if (drops.length === 0) return;
    await Promise.race([sending.catch(() => undefined), ctx.control.sleep(ctx.settings.dropDelayMs)]);
    await lane(drops);
  })();
  const results = await Promise.allSettled([sending, dropping]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  await eachTarget([...handed.keys()], (target) => tell(target, handed.get(target)!));
  return kept;
}

/**
 * Hands an arc to every target, each target walking the arc on its own so one unreachable
 * target does not hold the others back; then, when this node leaves the arc's list, forgets
 * the keys every target acknowledged at their current version. Keys written meanwhile are
 * handed again (resendRounds); returns how many still changing were kept here.
 */
async function handArc(ctx: HandOffContext, arc: PlannedArc): Promise<number> {
  const { chunkKeys, resendRounds } = ctx.settings;
  ctx.control.check();
  const walk = (target: string, i: number) => walkArc(ctx, arc, target, i === 0);
  let changed = await forgetAcked(ctx, arc, await eachTargetResult(arc.targets, walk));
  for (let round = 0; round < resendRounds && changed.length > 0; round++) {
    const keys = changed;
    const resend = async (target: string): Promise<Map<BinStr, number>> => {
      const acked = new Map<BinStr, number>();
      for (let i = 0; i < keys.length; i += chunkKeys) {
        ctx.control.check();
        await handKeys(ctx, arc, target, keys.slice(i, i + chunkKeys), acked); // arriving ones stay unacked: resent next round
        await ctx.yieldFn();
      }
      return acked;
    };
    changed = await forgetAcked(ctx, arc, await eachTargetResult(arc.targets, resend));
  }
  if (changed.length > 0) {
    ctx.counters.keysKept += changed.length;
    ctx.log.warn({ from: arc.from, to: arc.to, keys: changed.length }, 'keys kept: written throughout their hand-off');
  }
  return changed.length;
}

/** One target's walk over an arc, a chunk per event-loop turn; the versions it acknowledged. */
async function walkArc(ctx: HandOffContext, arc: PlannedArc, target: string, counts: boolean): Promise<Map<BinStr, number>> {
  const acked = new Map<BinStr, number>();
  let arriving: BinStr[] = [];
  for (const keys of ctx.store.rangeChunks(arc.from, arc.to, ctx.settings.chunkKeys)) {
    ctx.control.check();
    for (const key of await handKeys(ctx, arc, target, keys, acked)) arriving.push(key);
    if (counts) ctx.counters.keysDone += keys.length;
    await ctx.yieldFn();
  }
  // Deletions too: a target that was cut off or down when a key was deleted or expired still
  // holds its old copy, which no later write of the key will fix (there may be none). The
  // tombstone's version is above that copy's, so merging it removes the copy.
  const deleted = ctx.store.tombstonedKeys(arc.from, arc.to);
  for (let i = 0; i < deleted.length; i += ctx.settings.chunkKeys) {
    ctx.control.check();
    for (const key of await handKeys(ctx, arc, target, deleted.slice(i, i + ctx.settings.chunkKeys), acked)) arriving.push(key);
    await ctx.yieldFn();
  }
  // Keys the target still expects from the arc's sender: ask again, with backoff, until it
  // holds them or says nobody else will bring them (then they are pushed from here).
  for (let attempt = 0; arriving.length > 0; attempt++) {
    const { retryBaseMs, retryMaxMs, chunkKeys } = ctx.settings;
    await ctx.control.sleep(Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt, 20)));
    const again: BinStr[] = [];
    for (let i = 0; i < arriving.length; i += chunkKeys) {
      ctx.control.check();
      for (const key of await handKeys(ctx, arc, target, arriving.slice(i, i + chunkKeys), acked)) again.push(key);
      await ctx.yieldFn();
    }
    arriving = again;
  }
  return acked;
}

/**
 * Hands one chunk of keys to `target`: a sender pushes their states; a dropper asks which the
 * target lacks at its version and pushes those, except the ones the target expects from the
 * arc's sender (returned, to ask about again later). Records in `acked` the version the target
 * now holds at least, for every key handled.
 */
async function handKeys(
  ctx: HandOffContext,
  arc: PlannedArc,
  target: string,
  keys: readonly BinStr[],
  acked: Map<BinStr, number>,
): Promise<BinStr[]> {
  const { store } = ctx;
  if (arc.role === 'send') {
    const states: HandOffState[] = [];
    for (const key of keys) {
      const state = store.exportKey(key);
      if (state !== undefined) states.push(toWire(key, state));
    }
    await sendStates(ctx, target, states);
    for (const s of states) acked.set(s.key, s.version);
    return [];
  }
  const digests: KeyDigest[] = [];
  for (const key of keys) {
    const version = store.versionOf(key);
    if (version !== 0) digests.push({ key, version });
  }
  if (digests.length === 0) return [];
  const missing = new Set<BinStr>();
  const arriving = new Set<BinStr>();
  // Digests of long keys may not fit one message together (keys reach limits.max_value_bytes).
  for (const run of splitByBytes(digests, digestBytes, ctx.settings.batchBytes)) {
    const answer = await retrying(ctx, target, (timeoutMs) => ctx.sink.confirm(target, run.items, timeoutMs));
    for (const key of answer.missing) missing.add(key);
    for (const key of answer.arriving) arriving.add(key);
  }
  const states: HandOffState[] = [];
  for (const d of digests) {
    if (!missing.has(d.key)) acked.set(d.key, d.version);
    // A deletion is pushed even when the arc's sender will push the key: copies may delete at
    // versions of their own (FLUSHALL deletes each copy where it lies), so the sender's may be
    // older than this one, and the target would wait on the sender's `done` for ever after. A
    // tombstone is a few bytes; a live copy (not exported: a hash may be large) is left to the
    // sender, which has the newest.
    else if (!arriving.has(d.key) || store.peek(d.key) === undefined) {
      const state = store.exportKey(d.key);
      if (state === undefined) continue;
      states.push(toWire(d.key, state));
      arriving.delete(d.key);
    }
  }
  await sendStates(ctx, target, states);
  for (const s of states) acked.set(s.key, s.version);
  return [...arriving];
}

/**
 * When this node leaves the arc's list: forgets each key that every target acknowledged at the
 * version held here now, a chunk per event-loop turn (an arc a leaving node hands over may hold
 * most of its keys). Returns the keys to hand again (written since, or not acknowledged by
 * every target); none when this node stays in the list.
 */
async function forgetAcked(ctx: HandOffContext, arc: PlannedArc, acked: readonly Map<BinStr, number>[]): Promise<BinStr[]> {
  if (arc.keepAfter) return [];
  const changed: BinStr[] = [];
  let done = 0;
  for (let i = 0; i < acked.length; i++) {
    for (const key of acked[i]!.keys()) {
      if (heldEarlier(acked, i, key)) continue; // handled from the first map that holds it
      forgetOne(ctx, key, acked, changed);
      if (++done % ctx.settings.chunkKeys === 0) {
        await ctx.yieldFn();
        ctx.control.check(); // a newer ring: the rest stay here, and the next run replans them
      }
    }
  }
  return changed;
}

/** Whether one of the first `i` maps holds `key`. */
function heldEarlier(acked: readonly Map<BinStr, number>[], i: number, key: BinStr): boolean {
  for (let j = 0; j < i; j++) if (acked[j]!.has(key)) return true;
  return false;
}

/** Forgets `key` if every target acknowledged the version held here, else notes it as changed. */
function forgetOne(ctx: HandOffContext, key: BinStr, acked: readonly Map<BinStr, number>[], changed: BinStr[]): void {
  const version = acked[0]?.get(key);
  const everywhere = version !== undefined && acked.every((m) => m.get(key) === version);
  const now = ctx.store.versionOf(key);
  if (everywhere && ctx.store.forget(key, version)) ctx.counters.keysDropped++;
  // A delete every target has (a tombstone here) needs nothing more; an evicted key is gone.
  else if (now !== 0 && !(everywhere && now === version)) changed.push(key);
}

/** A digest's bytes in a confirm message, from above (its key, version and framing). */
const digestBytes = (d: KeyDigest): number => d.key.length + 24;

/** Runs `work` for every target at once and waits for all; their results in order, or the first failure. */
async function eachTargetResult<T>(targets: readonly string[], work: (target: string, i: number) => Promise<T>): Promise<T[]> {
  const results = await Promise.allSettled(targets.map(work));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Runs `work` for every target at once and waits for all; rethrows the first failure. */
async function eachTarget(targets: readonly string[], work: (target: string) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(targets.map(work));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
