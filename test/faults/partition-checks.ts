import { expect } from 'vitest';
import { isWrite, type Op } from '../helpers/history.js';
import type { Ledger } from '../helpers/ledger.js';
import type { Scale } from './process-scenarios.js';
import { isolateOne, runInProcessScenario, type Env } from './in-process-scenarios.js';

// What each side of a partition may do (docs/consistency.md): with minority_writes: refuse the
// minority acknowledges no write and nothing acknowledged is lost; with accept both sides do,
// and the writes lost on healing are only writes acknowledged during the partition.

/** Writes acknowledged through `via` between `fromMs` and `toMs` (a retried call acknowledged after the heal is not). */
function ackedVia(ledger: Ledger, via: string, fromMs: number, toMs: number): Op[] {
  // Strictly after the cut's millisecond: a write invoked in that millisecond may have been sent
  // (and replicated) just before the cut, and be acknowledged afterwards.
  return ledger.history.ops.filter(
    (op) => isWrite(op) && op.via === via && op.outcome === 'ok' && op.invokeMs > fromMs && op.completeMs! <= toMs,
  );
}

const describeOp = (op: Op) => `#${op.id} ${op.kind} ${op.key}${op.value === undefined ? '' : ` ${op.value}`} ${op.invokeMs}-${op.completeMs} ms`;

export async function minorityRefuses(scale: Scale): Promise<void> {
  let window: { fromMs: number; toMs: number; minority: string } | undefined;
  await runInProcessScenario('partition-minority-refuse', scale, async (env: Env) => {
    const w = await isolateOne(env);
    window = w;
    const acked = ackedVia(env.ledger, w.minority, w.fromMs, w.healedMs);
    // A write that changed nothing (a DEL of a missing key, an LPOP of an empty list) is answered
    // from the minority's copy before it learns it is one, as a read is: it replicates nothing,
    // so nothing can be lost or diverge by it.
    const changed = acked.filter((op) => op.effect !== false);
    env.notes.push(`writes acknowledged through the minority during the partition: ${changed.length} (and ${acked.length - changed.length} that changed nothing)`);
    expect(changed.map(describeOp)).toEqual([]);
  });
  expect(window).toBeDefined();
}

export async function minorityAccepts(scale: Scale): Promise<void> {
  let window: { fromMs: number; healedMs: number; toMs: number; minority: string } | undefined;
  let ledger: Ledger | undefined;
  const { lost, duplicated } = await runInProcessScenario(
    'partition-minority-accept',
    scale,
    async (env: Env) => {
      ledger = env.ledger;
      window = await isolateOne(env);
      env.notes.push(`writes acknowledged through the minority during the partition: ${ackedVia(env.ledger, window.minority, window.fromMs, window.healedMs).length}`);
    },
    { overrides: { cluster: { minorityWrites: 'accept' } }, allowLoss: true },
  );
  // Every lost write was acknowledged inside the partition window (the documented loss window):
  // after the cut began, so a write in flight at the cut may be one of them. Lines name their
  // ops (#id), or the push that went missing; the key's history they append is not read here.
  const ops = ledger!.history.ops;
  for (const line of [...lost, ...duplicated]) {
    const ids = [...line.split('; writes: ')[0]!.matchAll(/#(\d+)/g)].map((m) => Number(m[1]));
    const pushed = /^(\S+): acknowledged push (\S+) missing/.exec(line);
    const named = ids.length > 0 ? ids.map((id) => ops[id]!) : ops.filter((o) => isWrite(o) && o.key === pushed?.[1] && o.value === pushed?.[2]);
    if (named.length === 0) continue; // "out of order" lines name no single write
    // Of an item popped twice, the pop lost with its side's copy is the one in the window; the
    // item may be popped again from the winning copy later.
    const inWindow = (op: Op) => op.completeMs! >= window!.fromMs && op.invokeMs <= window!.toMs;
    expect(named.some(inWindow), `${line}: ${named.map((op) => `#${op.id} ${op.invokeMs}-${op.completeMs} ms`).join(', ')}; window ${window!.fromMs}-${window!.toMs} ms`).toBe(true);
  }
  // An item on a list twice is never allowed, in any mode.
  expect(duplicated.filter((line) => !line.includes('popped twice'))).toEqual([]);
  console.log(`[faults] partition-minority-accept: ${lost.length} acknowledged writes lost and ${duplicated.length} items popped twice, all inside the partition window`);
}
