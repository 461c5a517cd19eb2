import { expect } from 'vitest';
import { isWrite } from '../helpers/history.js';
import type { Ledger } from '../helpers/ledger.js';
import type { Scale } from './process-scenarios.js';
import { isolateOne, runInProcessScenario, type Env } from './in-process-scenarios.js';

// What each side of a partition may do (docs/consistency.md): with minority_writes: refuse the
// minority acknowledges no write and nothing acknowledged is lost; with accept both sides do,
// and the writes lost on healing are only writes acknowledged during the partition.

/** Writes acknowledged through `via` between `fromMs` and `toMs` (a retried call acknowledged after the heal is not). */
function ackedVia(ledger: Ledger, via: string, fromMs: number, toMs: number): number {
  return ledger.history.ops.filter(
    (op) => isWrite(op) && op.via === via && op.outcome === 'ok' && op.invokeMs >= fromMs && op.completeMs! <= toMs,
  ).length;
}

export async function minorityRefuses(scale: Scale): Promise<void> {
  let window: { fromMs: number; toMs: number; minority: string; detectedMs: number } | undefined;
  await runInProcessScenario('partition-minority-refuse', scale, async (env: Env) => {
    const w = await isolateOne(env);
    window = { ...w, detectedMs: w.fromMs };
    const acked = ackedVia(env.ledger, w.minority, w.fromMs, w.healedMs);
    env.notes.push(`writes acknowledged through the minority during the partition: ${acked}`);
    expect(acked).toBe(0);
  });
  expect(window).toBeDefined();
}

export async function minorityAccepts(scale: Scale): Promise<void> {
  let window: { fromMs: number; healedMs: number; toMs: number; minority: string } | undefined;
  let ledger: Ledger | undefined;
  const { lost } = await runInProcessScenario(
    'partition-minority-accept',
    scale,
    async (env: Env) => {
      ledger = env.ledger;
      window = await isolateOne(env);
      env.notes.push(`writes acknowledged through the minority during the partition: ${ackedVia(env.ledger, window.minority, window.fromMs, window.healedMs)}`);
    },
    { overrides: { cluster: { minorityWrites: 'accept' } }, allowLoss: true },
  );
  // Every lost write was acknowledged inside the partition window (the documented loss window):
  // after the cut began, so a write in flight at the cut may be one of them.
  const ops = ledger!.history.ops;
  for (const line of lost) {
    const m = /^(\S+): (?:holds \S+, expected one of \S+ \(after \w+ #(\d+)\)|acknowledged push (\S+) missing)/.exec(line);
    const key = m?.[1];
    const op = m?.[2] !== undefined ? ops[Number(m[2])] : ops.find((o) => isWrite(o) && o.key === key && o.value === m?.[3]);
    if (op === undefined) continue; // "out of order" lines name no single write
    expect(op.completeMs).toBeGreaterThanOrEqual(window!.fromMs);
    expect(op.invokeMs).toBeLessThanOrEqual(window!.toMs);
  }
  console.log(`[faults] partition-minority-accept: ${lost.length} acknowledged writes lost, all inside the partition window`);
}
