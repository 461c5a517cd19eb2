// `npm run bench -- --ab [--rounds N]`: the two CPU ratio targets measured as paired, repeated
// runs. This VM's speed drifts by tens of percent within minutes, so one run of each target says
// little about a ratio of 1.2x. Here the two targets of a ratio are up together and run back to
// back, in A B B A order per pair of rounds (a steady drift then weighs on both alike), and each
// scenario's ratio is the median of the per-round ratios, with their spread.
import { warmUp } from './warm-up.js';
import { modeLabel, type LoadMode, type Scenario } from './load-plan.js';
import { pingPong, stream, unary, type BenchOptions } from './plan.js';
import { mdTable } from './report.js';
import { LoadWorkers } from './runner.js';
import { startBare, startGokv, type Target } from './targets.js';

export interface AbRow {
  readonly pair: string;
  readonly scenario: Scenario;
  readonly mode: string;
  /** Per round: numerator's and denominator's server CPU per op (us), in round order. */
  readonly rounds: ReadonlyArray<{ readonly num: number; readonly den: number }>;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The median of per-round ratios, and their smallest and largest. */
export function ratioSummary(rounds: AbRow['rounds']): { median: number; min: number; max: number } {
  const ratios = rounds.map((r) => r.num / r.den);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

const ALL_MODES: readonly LoadMode[] = [unary(1), unary(16), unary(64), stream(1), stream(4), pingPong];
const WRITE_MODES: readonly LoadMode[] = [unary(1), unary(64), stream(4), pingPong];

async function pairRuns(
  workers: LoadWorkers,
  pair: string,
  [num, den]: readonly [Target, Target],
  plans: ReadonlyArray<{ scenario: Scenario; mode: LoadMode }>,
  rounds: number,
  log: (line: string) => void,
): Promise<AbRow[]> {
  const t = { warmupMs: 300, measureMs: 2000 };
  const rows: AbRow[] = [];
  for (const { scenario, mode } of plans) {
    const perRound: Array<{ num: number; den: number }> = [];
    for (let round = 0; round < rounds; round++) {
      // A B, then B A: a drift over the pair of rounds weighs on both targets alike.
      const order = round % 2 === 0 ? [num, den] : [den, num];
      const us = new Map<Target, number>();
      for (const target of order) us.set(target, (await workers.run(target, scenario, mode, t)).cpuUsPerOp);
      perRound.push({ num: us.get(num)!, den: us.get(den)! });
    }
    const row: AbRow = { pair, scenario, mode: modeLabel(mode), rounds: perRound };
    const s = ratioSummary(perRound);
    log(`ab ${pair} ${scenario} ${row.mode}: median ${s.median.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)}x)`);
    rows.push(row);
  }
  return rows;
}

/** single / bare over HSET and HGET in every mode; with `cluster`, also cluster / single over HSET. */
export async function runAb(options: BenchOptions, log: (line: string) => void): Promise<AbRow[]> {
  const rounds = options.rounds;
  const workers = await LoadWorkers.start(options.workers);
  const rows: AbRow[] = [];
  try {
    const hsetHget = [...ALL_MODES.map((mode) => ({ scenario: 'hset' as const, mode })), ...ALL_MODES.map((mode) => ({ scenario: 'hget' as const, mode }))];
    if (options.parts.has('bare')) {
      log('ab: starting bare and single');
      const bare = await startBare();
      const single = await startGokv(1);
      try {
        for (const target of [bare, single]) await warmUp(workers, target, options.quick);
        await workers.preload(bare.addresses);
        await workers.preload(single.addresses);
        rows.push(...(await pairRuns(workers, 'single / bare', [single, bare], hsetHget, rounds, log)));
      } finally {
        await Promise.all([bare.stop(), single.stop()]);
      }
    }
    if (options.parts.has('cluster')) {
      log('ab: starting single and cluster');
      const single = await startGokv(1);
      const cluster = await startGokv(3);
      try {
        for (const target of [single, cluster]) await warmUp(workers, target, options.quick);
        const writes = WRITE_MODES.map((mode) => ({ scenario: 'hset' as const, mode }));
        rows.push(...(await pairRuns(workers, 'cluster / single', [cluster, single], writes, rounds, log)));
      } finally {
        await Promise.all([single.stop(), cluster.stop()]);
      }
    }
  } finally {
    await workers.stop();
  }
  return rows;
}

export function abTable(rows: readonly AbRow[]): string {
  const head = ['ratio', 'scenario', 'mode', 'median', 'range', 'numerator us/op (median)', 'denominator us/op (median)', 'rounds'];
  return mdTable(
    head,
    rows.map((r) => {
      const s = ratioSummary(r.rounds);
      return [
        r.pair,
        r.scenario,
        r.mode,
        `${s.median.toFixed(2)}x`,
        `${s.min.toFixed(2)}-${s.max.toFixed(2)}x`,
        median(r.rounds.map((x) => x.num)).toFixed(1),
        median(r.rounds.map((x) => x.den)).toFixed(1),
        String(r.rounds.length),
      ];
    }),
  );
}
