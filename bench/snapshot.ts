// Snapshot figures for docs/benchmarks.md ("Snapshots"): time, file size and the longest
// event-loop stall while 1M small hashes are written to disk, idle and under writes (with
// controls: the same time without a snapshot), and the time to restore the file.
// Run: node --import tsx bench/snapshot.ts [--keys N] [--json] [--chunk-keys N] [--budget-ms MS]
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SystemClock, systemRandom } from '../internal/clock/index.js';
import { silentLogger } from '../internal/log/index.js';
import { restoreSnapshot, writeSnapshot, type SnapshotResult } from '../internal/persistence/index.js';
import { createHasher } from '../internal/ring/index.js';
import { Store } from '../internal/store/index.js';

const args = process.argv.slice(2);
const keyCount = Number(args[args.indexOf('--keys') + 1] ?? NaN) || 1_000_000;
const json = args.includes('--json');
const numberFlag = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
// Writer options to experiment with (defaults: persistence/snapshot-writer.ts DEFAULT_WRITE_OPTIONS).
const writeOptions = {
  ...(numberFlag('--chunk-keys') !== undefined && { chunkKeys: numberFlag('--chunk-keys')! }),
  ...(numberFlag('--budget-ms') !== undefined && { tickBudgetMs: numberFlag('--budget-ms')! }),
};
const log = (line: string) => process.stderr.write(`bench/snapshot: ${line}\n`);

// Strings as the wire makes them (Buffer -> latin1, flat): template literals would give cons
// strings, which V8 reads far more slowly, and a node never holds those.
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
const FIELD = flat('field:0000000001'); // 16 B
const pad = (i: number, width: number) => String(i).padStart(width, '0');
const keyOf = (i: number) => flat(`key:${pad(i, 12)}`); // 16 B
const valueOf = (i: number, round: number) => flat(`value:${pad(round, 6)}:${pad(i, 19)}`); // 32 B

/** A full GC and a pause after the fill, so the figures are the snapshot's, not the fill's GC debt. */
async function settle(): Promise<void> {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function filledStore(clock: SystemClock): Promise<Store> {
  const { keyPosition } = await createHasher();
  const store = new Store({ clock, random: systemRandom, hashKey: keyPosition });
  for (let i = 0; i < keyCount; i++) hset(store, i, 0);
  return store;
}

function hset(store: Store, i: number, round: number): void {
  const e = store.hashForWrite(keyOf(i));
  e.value.set(FIELD, valueOf(i, round));
  store.commit(e);
}

interface Run {
  readonly scenario: string;
  readonly seconds: number;
  /** CPU time of the whole process (main thread, GC helpers, the fs threads) during the run. */
  readonly cpuSeconds: number;
  readonly fileMiB: number;
  readonly keys: number;
  /** Longest event-loop delay seen by monitorEventLoopDelay (timers 1 ms apart). */
  readonly maxStallMs: number;
  readonly p99StallMs: number;
  /** The writer's own longest synchronous slice between two yields. */
  readonly longestSliceMs: number;
  readonly writesDuring: number;
}

/** Runs `work` with an event-loop delay monitor and, optionally, a writer of `writesPerTick` HSETs per tick. */
type Measured = Pick<SnapshotResult, 'durationMs' | 'bytes' | 'keys' | 'longestSliceMs'>;

/** The control: no snapshot, the same process for `ms`, to tell the machine's own stalls apart. */
const baseline = (ms: number) => async (): Promise<Measured> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { durationMs: ms, bytes: 0, keys: 0, longestSliceMs: 0 };
};

async function measured(scenario: string, store: Store, writesPerTick: number, work: () => Promise<Measured>): Promise<Run> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let writing = writesPerTick > 0;
  let writes = 0;
  const writer = () => {
    if (!writing) return;
    for (let n = 0; n < writesPerTick; n++) hset(store, (writes * 7919) % keyCount, 1 + writes++);
    setImmediate(writer);
  };
  delay.enable();
  setImmediate(writer);
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  writing = false;
  delay.disable();
  return {
    scenario,
    seconds: result.durationMs / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    fileMiB: result.bytes / 2 ** 20,
    keys: result.keys,
    maxStallMs: delay.max / 1e6,
    p99StallMs: delay.percentile(99) / 1e6,
    longestSliceMs: result.longestSliceMs,
    writesDuring: writes,
  };
}

async function snapshotRuns(clock: SystemClock, path: string): Promise<{ runs: Run[]; rssMiB: number }> {
  log(`filling ${keyCount} hashes of one 16 B field with a 32 B value`);
  const store = await filledStore(clock);
  await settle();
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  const runs: Run[] = [];
  log('snapshot, no writes');
  runs.push(await measured('snapshot, idle', store, 0, () => writeSnapshot(store, clock, path, writeOptions)));
  log('snapshot under writes (50 HSET per event-loop tick)');
  runs.push(await measured('snapshot, under writes', store, 50, () => writeSnapshot(store, clock, path, writeOptions)));
  const controlMs = Math.round(runs[1]!.seconds * 1000);
  log('control: the same writes for as long, no snapshot');
  runs.push(await measured('no snapshot, same writes (control)', store, 50, baseline(controlMs)));
  log('control: idle for as long, no snapshot');
  runs.push(await measured('no snapshot, idle (control)', store, 0, baseline(controlMs)));
  return { runs, rssMiB };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gokv-bench-snap-'));
  const path = join(dir, 'bench.snapshot');
  try {
    const clock = new SystemClock();
    const { runs, rssMiB } = await snapshotRuns(clock, path);
    // The snapshotted store is garbage now: restore into a process holding only the new one, as a node does.
    await settle();
    log('restore into an empty store');
    const { keyPosition } = await createHasher();
    const target = new Store({ clock, random: systemRandom, hashKey: keyPosition });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const outcome = await restoreSnapshot({ target, clock, log: silentLogger() }, path);
    const restoreSeconds = (performance.now() - started) / 1000;
    delay.disable();
    if (outcome.kind !== 'restored' || target.size !== keyCount) throw new Error(`restore: ${JSON.stringify(outcome)}`);

    const report = {
      keys: keyCount,
      node: process.version,
      cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
      rssMiBAfterFill: Math.round(rssMiB),
      loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
      runs,
      restore: { seconds: restoreSeconds, maxStallMs: delay.max / 1e6 },
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const f = (n: number, digits = 1) => n.toFixed(digits);
    const lines = [
      `${report.keys} keys, Node ${report.node}, ${report.cpu}, RSS after fill ${report.rssMiBAfterFill} MiB, load average ${report.loadAverage1m}`,
      '',
      '| scenario | time (s) | CPU (s) | file (MiB) | keys | longest stall (ms) | p99 stall (ms) | longest slice (ms) | writes during |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map(
        (r) =>
          `| ${r.scenario} | ${f(r.seconds, 2)} | ${f(r.cpuSeconds, 2)} | ${f(r.fileMiB)} | ${r.keys} | ${f(r.maxStallMs)} | ${f(r.p99StallMs)} | ${f(r.longestSliceMs)} | ${r.writesDuring} |`,
      ),
      `| restore (before serving) | ${f(restoreSeconds, 2)} | | | ${target.size} | ${f(report.restore.maxStallMs)} | | | |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/snapshot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
