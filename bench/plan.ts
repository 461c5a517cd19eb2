// Which runs the bench makes, for the full run and for `--quick` (about one minute in all).
import { KEY_COUNT, type LoadMode, SCENARIOS, type Scenario } from './load-plan.js';
import type { Timing } from './runner.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  readonly workers: number;
  /** Which parts to run: bare, single, cluster, bare3 (the bare cluster), resp (gokv's RESP port), redis, memory. */
  readonly parts: ReadonlySet<string>;
  readonly writeDoc: boolean;
  readonly profile: boolean;
  /** `--hops`: only the one-command-at-a-time costs per process (bench/hops.ts). */
  readonly hops: boolean;
  /** `--ab`: only the CPU ratios, as paired runs repeated `rounds` times (bench/ab.ts). */
  readonly ab: boolean;
  readonly rounds: number;
  /** `--ab --base REF`: pair this checkout with the commit REF instead of with the ceilings. */
  readonly base?: string;
  /** `--rates r1,r2`: only open-loop HSET runs at these rates, `rounds` times (bench/rates.ts). */
  readonly rates: readonly number[];
  /**
   * `--keys N` (with --profile or --ab): the keys runs draw from, instead of KEY_COUNT. With a
   * small keyspace the store's data stays in the CPU caches: it shows what the data's size costs.
   */
  readonly keys: number;
  /** `--profile --scenario S`: the command the profiled runs send (HSET unless given). */
  readonly profileScenario: Scenario;
}

/** `--keys` at most: every key name is held in each load worker's table. */
const MAX_KEYS = 10_000_000;

export const PARTS = ['bare', 'single', 'cluster', 'bare3', 'resp', 'redis', 'memory'] as const;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only');
  const parts = new Set<string>(only ? only.split(',') : PARTS);
  for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p}`);
  if (has('--help')) {
    process.stdout.write(
      'npm run bench -- [--quick] [--json] [--workers N] [--only bare,single,cluster,bare3,resp,redis,memory] [--no-doc] [--profile] [--hops] [--ab [--base REF] [--rounds N]] [--rates R1,R2 [--rounds N]] [--keys N (with --profile or --ab)] [--scenario hset|hget|mixed|lpush-lpop (with --profile)]\n',
    );
    process.exit(0);
  }
  const rates = (value('--rates') ?? '').split(',').filter(Boolean).map(Number);
  if (rates.some((r) => !(r > 0))) throw new Error(`--rates: expected rates per second above 0, got ${value('--rates')}`);
  const rounds = Number(value('--rounds') ?? (rates.length > 0 ? 3 : 5));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a whole number of at least 1, got ${value('--rounds')}`);
  const base = value('--base');
  if (has('--base') && (base === undefined || base.startsWith('--'))) throw new Error('--base: expected a commit, e.g. --base HEAD~1');
  if (base !== undefined && !has('--ab')) throw new Error('--base compares two revisions in paired rounds: use it with --ab');
  const keys = has('--keys') ? Number(value('--keys')) : KEY_COUNT;
  if (!Number.isInteger(keys) || keys < 1 || keys > MAX_KEYS) {
    throw new Error(`--keys: expected a whole number from 1 to ${MAX_KEYS}, got ${value('--keys')}`);
  }
  // The full run's figures and docs/benchmarks.md are for KEY_COUNT keys, as the targets say.
  if (has('--keys') && !has('--profile') && !has('--ab')) throw new Error('--keys: use it with --profile or --ab');
  const scenario = value('--scenario') ?? 'hset';
  if (!(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new Error(`--scenario: expected one of ${SCENARIOS.join(', ')}, got ${value('--scenario')}`);
  }
  if (has('--scenario') && !has('--profile')) throw new Error('--scenario: use it with --profile');
  return {
    quick: has('--quick'),
    json: has('--json'),
    workers: Number(value('--workers') ?? 2),
    parts,
    // Partial and quick runs never overwrite docs/benchmarks.md.
    writeDoc: !has('--no-doc') && !only && !has('--quick'),
    profile: has('--profile'),
    hops: has('--hops'),
    ab: has('--ab'),
    rounds,
    rates,
    keys,
    profileScenario: scenario as Scenario,
    ...(base === undefined ? {} : { base }),
  };
}

export const unary = (inFlight: number): LoadMode => ({ kind: 'unary', inFlight });
export const stream = (streams: number): LoadMode => ({ kind: 'stream', streams, window: 256 });
/** One stream with one command in flight: each command is a full round trip, as with C=1. */
export const pingPong: LoadMode = { kind: 'stream', streams: 1, window: 1 };
/** RunCommand at C = 1, 16, 64 and StreamCommand with 1 and 4 streams: every scenario's modes. */
export const ALL_MODES: readonly LoadMode[] = [unary(1), unary(16), unary(64), stream(1), stream(4)];

export interface RunPlan {
  readonly scenario: Scenario;
  readonly mode: LoadMode;
}

const each = (scenarios: readonly Scenario[], modes: readonly LoadMode[]): RunPlan[] =>
  scenarios.flatMap((scenario) => modes.map((mode) => ({ scenario, mode })));

/** Runs per target, in order: writes first, then (after the preload) reads, mixed and lists. */
export function runsFor(target: string, quick: boolean): RunPlan[] {
  // The bare cluster is the ceiling for the cluster's writes only.
  if (target === 'bare3') return each(['hset'], quick ? [unary(1), unary(64), stream(4)] : [...ALL_MODES, pingPong]);
  if (!quick) return [...each(['hset'], [...ALL_MODES, pingPong]), ...each(['hget', 'mixed', 'lpush-lpop'], ALL_MODES)];
  const quickModes = [unary(1), unary(64), stream(1), stream(4)];
  if (target === 'bare') return each(['hset', 'hget'], quickModes);
  if (target === 'single') return [...each(['hset', 'hget'], quickModes), ...each(['mixed', 'lpush-lpop'], [unary(64), stream(4)])];
  return [...each(['hset'], [unary(1), unary(64), stream(4)]), ...each(['hget', 'mixed', 'lpush-lpop'], [stream(4)])];
}

export function timing(quick: boolean): Timing {
  return quick ? { warmupMs: 200, measureMs: 700 } : { warmupMs: 1000, measureMs: 5000 };
}
