import type { TestClient } from './client.js';
import { EXPIRE_MS, type Op, type OpKind } from './history.js';
import type { Ledger } from './ledger.js';

// The history checker: judges a Ledger's recorded operations and the cluster's final state.
// Writes of unknown outcome (a failed call) may or may not have been applied, so they are
// allowed, once; acknowledged writes must all be there; reads may only return written values.
// A hash key's writes are its HSETs, DELs and PEXPIREs: after an acknowledged DEL or expiry
// the key must be gone, unless a later HSET wrote it again.

export interface CheckReport {
  acked: number;
  /** Writes whose call failed: their outcome is unknown. */
  unknown: number;
  /** Acknowledged writes missing (or overwritten by an older value) at the end. */
  lost: string[];
  /** List items present more than once at the end. */
  duplicated: string[];
  /** Reads that returned a value never written, a repeat, or items out of their push order. */
  badReads: string[];
  /** Reads that missed a write acknowledged before the read began (reported, not a failure). */
  staleReads: number;
  reads: number;
}

interface KeyWrites {
  /** In the writer's order (one writer per hash key; per list, ordered per writer). */
  ops: Op[];
  byValue: Map<string, Op>;
}

const HASH_WRITES: readonly OpKind[] = ['hset', 'del', 'expire'];

function writesByKey(ops: readonly Op[], kind: 'hash' | 'rpush'): Map<string, KeyWrites> {
  const out = new Map<string, KeyWrites>();
  for (const op of ops) {
    if (kind === 'hash' ? !HASH_WRITES.includes(op.kind) : op.kind !== kind) continue;
    let w = out.get(op.key);
    if (w === undefined) {
      w = { ops: [], byValue: new Map() };
      out.set(op.key, w);
    }
    w.ops.push(op);
    if (op.value !== undefined) w.byValue.set(op.value, op);
  }
  return out;
}

/** Per list, its LPOPs in history order. */
function popsByList(ops: readonly Op[]): Map<string, Op[]> {
  const out = new Map<string, Op[]>();
  for (const op of ops) {
    if (op.kind !== 'lpop') continue;
    const pops = out.get(op.key) ?? [];
    pops.push(op);
    out.set(op.key, pops);
  }
  return out;
}

/** The item an acknowledged LPOP returned, if any. */
const poppedItem = (op: Op): string | undefined => (op.outcome === 'ok' && typeof op.read === 'string' ? op.read : undefined);

/** What a hash key holds after `op`: its value, or null after a DEL or an expiry. */
const valueAfter = (op: Op): string | null => (op.kind === 'hset' ? op.value! : null);

const writer = (op: Op): string => op.process;

/**
 * What a hash key may hold at the end (expiries past): what its last acknowledged write left,
 * or what any later write of unknown outcome would.
 */
export function allowedFinal(ops: readonly Op[]): Set<string | null> {
  let lastAck = -1;
  ops.forEach((op, i) => {
    if (op.outcome === 'ok') lastAck = i;
  });
  const allowed = new Set<string | null>([lastAck < 0 ? null : valueAfter(ops[lastAck]!)]);
  for (let i = lastAck + 1; i < ops.length; i++) allowed.add(valueAfter(ops[i]!));
  return allowed;
}

/** A key's writes, one line each, for a report: enough to tell a real loss from an uncertain write landing late. */
const describeOps = (ops: readonly Op[]): string =>
  ops
    .slice(-8)
    .map((op) => `#${op.id} ${op.kind}${op.value === undefined ? '' : ` ${op.value}`} ${op.outcome}${op.code ? ` ${op.code}` : ''} ${op.invokeMs}-${op.completeMs ?? '?'}ms via ${op.via ?? '?'}`)
    .join('; ');

/** The last acknowledged write of `ops`, for a report line. */
const lastAcked = (ops: readonly Op[]): Op | undefined => ops.filter((op) => op.outcome === 'ok').at(-1);

/** Judges every read in the history (no final state needed). */
export function checkReads(ledger: Ledger, report: CheckReport): void {
  const ops = ledger.history.ops;
  const hashes = writesByKey(ops, 'hash');
  const lists = writesByKey(ops, 'rpush');
  const pops = popsByList(ops);
  const bad = (why: string) => report.badReads.push(why);
  for (const read of ops) {
    if (read.outcome !== 'ok' || (read.kind !== 'hget' && read.kind !== 'lrange')) continue;
    report.reads++;
    const done = read.completeMs!;
    // An expiry counts once its TTL has run out.
    const ackedBefore = (w: Op) => w.outcome === 'ok' && w.completeMs! + (w.kind === 'expire' ? EXPIRE_MS : 0) < read.invokeMs;
    if (read.kind === 'hget') {
      const writes = hashes.get(read.key);
      const value = read.read as string | null;
      const last = writes?.ops.filter(ackedBefore).at(-1);
      if (value === null) {
        // Stale unless a DEL or PEXPIRE after that HSET began before the read ended.
        if (last === undefined || last.kind !== 'hset') continue;
        if (!writes!.ops.some((w) => w.kind !== 'hset' && w.id > last.id && w.invokeMs < done)) report.staleReads++;
        continue;
      }
      const w = writes?.byValue.get(value);
      if (w === undefined || w.invokeMs > done) bad(`${read.key}: read ${value}, never written before the read`);
      // One writer per key, so history ids give its writes' order.
      else if (last !== undefined && w.id < last.id) report.staleReads++;
      continue;
    }
    const items = read.read as string[];
    const writes = lists.get(read.key);
    const seen = new Set<string>();
    const lastSeq = new Map<string, number>();
    for (const item of items) {
      const w = writes?.byValue.get(item);
      if (w === undefined || w.invokeMs > done) bad(`${read.key}: read item ${item}, never pushed before the read`);
      else if (seen.has(item)) bad(`${read.key}: item ${item} read twice`);
      else if (w.outcome === 'ok' && (lastSeq.get(writer(w)) ?? -1) > w.seq!) bad(`${read.key}: item ${item} read out of push order`);
      seen.add(item);
      // A push of unknown outcome may land late (docs/consistency.md): only acknowledged ones keep order.
      if (w !== undefined && w.outcome === 'ok') lastSeq.set(writer(w), w.seq!);
    }
    // An item missing from the read may have been popped by then (judged only when every pop
    // begun before the read ended is known to have happened or not).
    const popsBefore = (pops.get(read.key) ?? []).filter((p) => p.invokeMs < done);
    if (popsBefore.some((p) => p.outcome !== 'ok')) continue;
    const popped = new Set(popsBefore.map(poppedItem));
    if (writes?.ops.some((w) => ackedBefore(w) && !seen.has(w.value!) && !popped.has(w.value!))) report.staleReads++;
  }
}

/**
 * Reads every written key once through `reader` and judges the final state and every read
 * recorded in the history. Does not throw: the caller asserts on the report.
 */
export async function checkLedger(reader: TestClient, ledger: Ledger): Promise<CheckReport> {
  const ops = ledger.history.ops;
  const report: CheckReport = { acked: 0, unknown: 0, lost: [], duplicated: [], badReads: [], staleReads: 0, reads: 0 };
  const { acked, failed } = ledger.history.writes();
  report.acked = acked;
  report.unknown = failed;
  const lost = (why: string) => report.lost.push(why);

  // Every acknowledged expiry has run out before the final reads.
  const expiredBy = ops.reduce((at, op) => (op.kind === 'expire' ? Math.max(at, (op.completeMs ?? 0) + EXPIRE_MS + 1) : at), 0);
  const wait = expiredBy - ledger.history.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

  const hashes = [...writesByKey(ops, 'hash')];
  for (let i = 0; i < hashes.length; i += 200) {
    const chunk = hashes.slice(i, i + 200);
    const replies = await Promise.all(chunk.map(([key]) => reader.run('HMGET', key, 'f') as Promise<Array<Buffer | null>>));
    chunk.forEach(([key, writes], j) => {
      const got = replies[j]![0];
      const value = got === null || got === undefined ? null : got.toString();
      const allowed = allowedFinal(writes.ops);
      const op = lastAcked(writes.ops);
      const which = op === undefined ? '' : ` (after ${op.kind} #${op.id})`;
      if (!allowed.has(value)) lost(`${key}: holds ${value}, expected one of ${[...allowed].join('|')}${which}; writes: ${describeOps(writes.ops)}`);
    });
  }

  const popsOf = popsByList(ops);
  for (const [list, writes] of writesByKey(ops, 'rpush')) {
    const items = ((await reader.run('LRANGE', list, '0', '-1')) as Buffer[]).map(String);
    const counts = new Map<string, number>();
    for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
    for (const [x, n] of counts) if (n > 1) report.duplicated.push(`${list}: ${x} x${n}`);
    const present = new Set(items);
    const unsure = new Set(writes.ops.filter((w) => w.outcome !== 'ok').map((w) => w.value!));
    for (const x of items) if (!writes.byValue.has(x)) report.badReads.push(`${list}: holds ${x}, never pushed`);
    const ackedItems = writes.ops.filter((w) => w.outcome === 'ok');
    // Pops: an item an acknowledged LPOP returned was pushed, was popped once, and stays gone;
    // an acknowledged push may be missing only if popped, or if a pop of unknown outcome begun
    // after it (each such pop taking one item) may have taken it.
    const pops = popsOf.get(list) ?? [];
    const popped = new Map<string, Op>();
    for (const p of pops) {
      const x = poppedItem(p);
      if (x === undefined) continue;
      const first = popped.get(x);
      if (first !== undefined) report.duplicated.push(`${list}: ${x} popped twice (lpop #${first.id}, #${p.id})`);
      if (!writes.byValue.has(x)) report.badReads.push(`${list}: popped ${x}, never pushed`);
      popped.set(x, first ?? p);
    }
    for (const x of items) if (popped.has(x)) lost(`${list}: popped item ${x} is back (after lpop #${popped.get(x)!.id})`);
    const unsurePops = pops.filter((p) => p.outcome !== 'ok');
    const used = new Set<Op>();
    for (const w of ackedItems) {
      if (present.has(w.value!) || popped.has(w.value!)) continue;
      const taker = unsurePops.find((p) => !used.has(p) && p.invokeMs > w.invokeMs);
      if (taker !== undefined) used.add(taker);
      else lost(`${list}: acknowledged push ${w.value} missing`);
    }
    // Acknowledged pushes keep their order (per writer: pushes of one writer are sequential).
    const order = items.filter((x) => !unsure.has(x) && writes.byValue.get(x)?.outcome === 'ok');
    const expected = ackedItems.map((w) => w.value!).filter((x) => present.has(x));
    const sameWriterOrder = (xs: string[]) => {
      const byWriter = new Map<string, string[]>();
      for (const x of xs) {
        const p = writer(writes.byValue.get(x)!);
        byWriter.set(p, [...(byWriter.get(p) ?? []), x]);
      }
      return byWriter;
    };
    const got = sameWriterOrder(order);
    for (const [p, xs] of sameWriterOrder(expected)) {
      if (JSON.stringify(got.get(p)) !== JSON.stringify(xs)) lost(`${list}: pushes of ${p} out of order`);
    }
  }
  checkReads(ledger, report);
  return report;
}
