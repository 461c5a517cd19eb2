import type { BinStr } from '../store/index.js';
import type { ArrivingPart } from './arrivals.js';
import { raiseDeadline, sendStates, timedOut, type HandOffContext } from './hand-off-calls.js';
import type { PlannedArc } from './plan.js';
import { Aborted } from './run-control.js';
import type { RangeStates } from './sink.js';

/**
 * Attempts at fetching one page of a range still arriving here (collectArriving) before the
 * range is left unreported to its target: the target then keeps pulling, which is always safe.
 */
const COLLECT_ATTEMPTS = 3;

/**
 * Before `arc` is reported handed off to `target`: what this node's own previous owners hold in
 * the parts of it still arriving here (see Arrivals.stillArriving) is fetched from them and sent
 * to `target`, so the report covers what this node was due to receive as well as what it holds.
 * A source itself still receiving the part names its own sources (`stillFrom`), asked in turn,
 * each member once (three joins before the first's arcs arrived: the third's source is the
 * second, whose source is the first, whose source holds the keys). Returns false when a source
 * could not be read (after COLLECT_ATTEMPTS per page, or earlier in this run: `unreadable`): the
 * arc is then not reported to `target`, which keeps pulling its keys on a miss (from here, and
 * this node fetches them from its sources as a chained pull).
 */
export async function collectArriving(ctx: HandOffContext, arc: PlannedArc, target: string, unreadable: Set<string>): Promise<boolean> {
  for (const part of ctx.arriving?.(arc.from, arc.to, target) ?? []) {
    // A source names neither its asker (this node) nor `target` (answerRange).
    const asked = new Set([target, ...part.sources]);
    const queue = [...part.sources];
    // The version sent of each key: a key several sources hold (replicas) goes once, its newest.
    const sent = new Map<BinStr, number>();
    for (let i = 0; i < queue.length; i++) {
      const source = queue[i]!;
      const named = unreadable.has(source) ? undefined : await collectFrom(ctx, source, target, part, sent);
      if (named === undefined) {
        unreadable.add(source);
        return false;
      }
      for (const id of named) {
        if (asked.has(id)) continue;
        asked.add(id);
        queue.push(id);
      }
    }
  }
  return true;
}

/**
 * Sends `target` what `source` holds in `part`, except what was sent at that version or newer
 * (`sent`); returns the members `source` named as its own sources there, or undefined when it
 * could not be read.
 */
async function collectFrom(ctx: HandOffContext, source: string, target: string, part: ArrivingPart, sent: Map<BinStr, number>): Promise<string[] | undefined> {
  const named: string[] = [];
  let from = part.from;
  while (from < part.to) {
    const page = await fetchRangePage(ctx, source, target, from, part.to);
    // A page that does not move on (keys sharing one position, each too large for an answer
    // beside the other) cannot be completed either.
    if (page === undefined || page.next <= from) return undefined;
    named.push(...page.stillFrom);
    const newer = page.states.filter((st) => (sent.get(st.key) ?? -1) < st.version);
    for (const st of newer) sent.set(st.key, st.version);
    await sendStates(ctx, target, newer);
    from = page.next;
    await ctx.yieldFn();
  }
  return named;
}

/** Whether reporting `arc` to one of its targets first collects parts still arriving here. */
export function collects(ctx: HandOffContext, arc: PlannedArc): boolean {
  return arc.targets.some((target) => (ctx.arriving?.(arc.from, arc.to, target).length ?? 0) > 0);
}

/**
 * One page of what `source` holds in [from, to), or undefined after COLLECT_ATTEMPTS failures.
 * Deadlines grow after a timeout as in `retrying`, so a source alive but slow is read.
 */
async function fetchRangePage(ctx: HandOffContext, source: string, target: string, from: number, to: number): Promise<RangeStates | undefined> {
  const { retryBaseMs, ackTimeoutMs } = ctx.settings;
  for (let attempt = 0; attempt < COLLECT_ATTEMPTS; attempt++) {
    ctx.control.check();
    const timeoutMs = ctx.ackDeadlines.get(source) ?? ackTimeoutMs;
    try {
      return await ctx.control.race(ctx.sink.fetchRange(source, target, from, to, timeoutMs > 0 ? timeoutMs : undefined), timeoutMs);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      ctx.counters.batchesFailed++;
      if (timedOut(err)) raiseDeadline(ctx, source, timeoutMs);
      const reason = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ peer: source, attempt: attempt + 1, reason }, 'fetching a range still arriving here failed');
      await ctx.control.sleep(retryBaseMs * 2 ** attempt);
    }
  }
  return undefined;
}
