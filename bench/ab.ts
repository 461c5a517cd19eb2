// `npm run bench -- --ab [--rounds N]`: the two CPU ratio targets measured as paired, repeated
// runs. This VM's speed drifts by tens of percent within minutes, so one run of each target says
// little about a ratio of 1.2x. Here the targets of a ratio are up together and run back to
// back, in A B C then C B A order over each pair of rounds (a steady drift then weighs on all
// alike), and each scenario's ratio is the median of the per-round ratios, with their spread. A
// control pair of two identical bare servers shows the spread that comes from the machine alone.
import { warmUp } from './warm-up.js';
import { modeLabel, type LoadMode, type Scenario } from './load-plan.js';
import { ALL_MODES, pingPong, stream, unary, type BenchOptions } from './plan.js';
import { mdTable } from './report.js';
import { LoadWorkers } from './runner.js';
import { startBare, startBareCluster, startGokv, type Target } from './targets.js';

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

const WRITE_MODES: readonly LoadMode[] = [unary(1), unary(64), stream(4), pingPong];

/** HSET, then HGET, in every mode and one command at a time over a stream. */
function hsetHgetPlans(): Plan[] {
  const modes = [...ALL_MODES, pingPong];
  return (['hset', 'hget'] as const).flatMap((scenario) => modes.map((mode) => ({ scenario, mode })));
}

/** A ratio to report: its name and the indexes of its numerator and denominator targets. */
type Pair = { readonly name: string; readonly num: number; readonly den: number };
type Plan = { scenario: Scenario; mode: LoadMode };

const RUN_TIMING = { warmupMs: 300, measureMs: 2000 };

/** Forward in even rounds, backward in odd ones: a drift over two rounds weighs on every target alike. */
const roundOrder = (targets: number, round: number): number[] =>
  Array.from({ length: targets }, (_, i) => (round % 2 === 0 ? i : targets - 1 - i));

/**
 * The order in which a fresh round starts and warms up its targets: round r begins with target
 * r mod n. A cluster started first in its round cost more per write than those started after it,
 * even with identical builds (docs/benchmarks.md, "Before and after in one run"), so over n
 * rounds each target takes each place once.
 */
export const startOrder = (targets: number, round: number): number[] =>
  Array.from({ length: targets }, (_, k) => (k + round) % targets);

/** One row per pair from one plan's server us/op per round (indexed by target), logged as it goes. */
function pairRows(pairs: readonly Pair[], { scenario, mode }: Plan, perRound: readonly number[][], log: (line: string) => void): AbRow[] {
  return pairs.map((pair) => {
    const row: AbRow = { pair: pair.name, scenario, mode: modeLabel(mode), rounds: perRound.map((us) => ({ num: us[pair.num]!, den: us[pair.den]! })) };
    const s = ratioSummary(row.rounds);
    log(`ab ${pair.name} ${scenario} ${row.mode}: median ${s.median.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)}x)`);
    return row;
  });
}

/**
 * Runs each plan on every target, `rounds` times, in A B C then C B A order; returns the server
 * us/op of each target per round. `pairs` name the ratios (indexes into `targets`) to report.
 */
async function roundRobin(
  workers: LoadWorkers,
  targets: readonly Target[],
  pairs: readonly Pair[],
  plans: readonly Plan[],
  rounds: number,
  log: (line: string) => void,
): Promise<AbRow[]> {
  const rows: AbRow[] = [];
  for (const plan of plans) {
    const perRound: number[][] = [];
    for (let round = 0; round < rounds; round++) {
      const us: number[] = [];
      for (const i of roundOrder(targets.length, round)) us[i] = (await workers.run(targets[i]!, plan.scenario, plan.mode, RUN_TIMING)).cpuUsPerOp;
      perRound.push(us);
    }
    rows.push(...pairRows(pairs, plan, perRound, log));
  }
  return rows;
}

/**
 * single / bare over HSET and HGET in every mode; with `cluster`, also cluster / single over HSET,
 * and with `bare3` too, the bare cluster's ratios in the same rounds: bare3 / bare (what the
 * transport alone costs three nodes against one) and cluster / bare3.
 */
export async function runAb(options: BenchOptions, log: (line: string) => void): Promise<AbRow[]> {
  const rounds = options.rounds;
  const workers = await LoadWorkers.start(options.workers, options.keys);
  const rows: AbRow[] = [];
  try {
    const hsetHget = hsetHgetPlans();
    if (options.parts.has('bare')) {
      // A second bare server is the control: bare / bare shows how far identical servers differ.
      log('ab: starting two bare servers and single');
      const targets = [await startBare(), await startGokv(1), await startBare()];
      try {
        for (const target of targets) await warmUp(workers, target, options.quick);
        for (const target of targets) await workers.preload(target.addresses);
        const pairs = [
          { name: 'single / bare', num: 1, den: 0 },
          { name: 'bare / bare (control)', num: 2, den: 0 },
        ];
        rows.push(...(await roundRobin(workers, targets, pairs, hsetHget, rounds, log)));
      } finally {
        await Promise.all(targets.map((target) => target.stop()));
      }
    }
    if (options.parts.has('cluster')) {
      const withBare3 = options.parts.has('bare3');
      log(`ab: starting single and cluster${withBare3 ? ', bare and bare3' : ''}`);
      const targets = [await startGokv(1), await startGokv(3), ...(withBare3 ? [await startBare(), await startBareCluster(3)] : [])];
      try {
        for (const target of targets) await warmUp(workers, target, options.quick);
        const writes = WRITE_MODES.map((mode) => ({ scenario: 'hset' as const, mode }));
        const pairs = [
          { name: 'cluster / single', num: 1, den: 0 },
          ...(withBare3
            ? [
                { name: 'bare3 / bare', num: 3, den: 2 },
                { name: 'cluster / bare3', num: 1, den: 3 },
              ]
            : []),
        ];
        rows.push(...(await roundRobin(workers, targets, pairs, writes, rounds, log)));
      } finally {
        await Promise.all(targets.map((target) => target.stop()));
      }
    }
  } finally {
    await workers.stop();
  }
  return rows;
}

/**
 * `--ab --base REF`: this checkout against the commit REF (built by bench/base-build.ts): one
 * node over HSET and HGET in every mode, and the three-node cluster over HSET, each with a
 * second target of REF as the control. Ratios are now / base: below 1 is faster.
 *
 * Unlike runAb, every round starts its own processes, so that one process's luck (how V8
 * compiled its hot path, where its heap landed) does not weigh on every round of a pair. The
 * control (a second node of REF) shows what the machine does to a ratio of identical code: on
 * this VM its medians over 5 rounds spanned 0.86-1.25x (docs/benchmarks.md), so only a change
 * larger than that shows here; smaller ones need counts of work (pauses, writes, allocations).
 */
export async function runAbBase(options: BenchOptions, baseRoot: string, log: (line: string) => void): Promise<AbRow[]> {
  // Labels differ per round: a node's snapshot file is named after it, and a node of the next
  // round must not restore what one of this round wrote.
  const base = (round: number, label = 'base') => ({ root: baseRoot, label: `r${round + 1}-${label}-` });
  const now = (round: number) => ({ label: `r${round + 1}-` });
  // Targets by index: 0 the base build, 1 this checkout, 2 the base build again (the control).
  const starters = (nodes: number): Starter[] => [
    (r) => startGokv(nodes, [], base(r)),
    (r) => startGokv(nodes, [], now(r)),
    (r) => startGokv(nodes, [], base(r, 'base2')),
  ];
  const workers = await LoadWorkers.start(options.workers, options.keys);
  const rows: AbRow[] = [];
  try {
    if (options.parts.has('single')) {
      const pairs = [
        { name: 'single now / base', num: 1, den: 0 },
        { name: 'single base / base (control)', num: 2, den: 0 },
      ];
      rows.push(...(await freshRounds(workers, starters(1), pairs, hsetHgetPlans(), options, log)));
    }
    if (options.parts.has('cluster')) {
      // A second cluster of REF is the control here too: it shows the spread of identical
      // builds (0.95-1.10x in one run since the start order rotates; 0.80-0.90x before, see
      // docs/benchmarks.md), so a ratio means something only beside its control.
      const writes = WRITE_MODES.map((mode) => ({ scenario: 'hset' as const, mode }));
      const pairs = [
        { name: 'cluster now / base', num: 1, den: 0 },
        { name: 'cluster base / base (control)', num: 2, den: 0 },
      ];
      rows.push(...(await freshRounds(workers, starters(3), pairs, writes, options, log)));
    }
  } finally {
    await workers.stop();
  }
  return rows;
}

/** Starts one target of a fresh round (the round number labels its processes). */
type Starter = (round: number) => Promise<Target>;

/**
 * Rounds that each start the targets afresh (in startOrder), warm them up in the same order, run
 * every plan on each, and stop them.
 */
async function freshRounds(
  workers: LoadWorkers,
  starters: readonly Starter[],
  pairs: readonly Pair[],
  plans: readonly Plan[],
  options: BenchOptions,
  log: (line: string) => void,
): Promise<AbRow[]> {
  const perPlan: number[][][] = plans.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    const order = startOrder(starters.length, round);
    const started: Target[] = [];
    const targets: Target[] = [];
    try {
      for (const i of order) started.push((targets[i] = await starters[i]!(round)));
    } catch (err) {
      await Promise.all(started.map((target) => target.stop()));
      throw err;
    }
    log(`ab: round ${round + 1} of ${options.rounds}: ${order.map((i) => targets[i]!.name).join(', ')} started, in that order`);
    try {
      for (const i of order) await warmUp(workers, targets[i]!, options.quick);
      if (plans.some((p) => p.scenario !== 'hset')) for (const i of order) await workers.preload(targets[i]!.addresses);
      for (const [p, { scenario, mode }] of plans.entries()) {
        const us: number[] = [];
        for (const i of roundOrder(targets.length, round)) us[i] = (await workers.run(targets[i]!, scenario, mode, RUN_TIMING)).cpuUsPerOp;
        perPlan[p]!.push(us);
      }
    } finally {
      await Promise.all(targets.map((target) => target.stop()));
    }
  }
  return plans.flatMap((plan, p) => pairRows(pairs, plan, perPlan[p]!, log));
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
