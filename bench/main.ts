// `npm run bench`: gokv (one node, three nodes) beside the bare grpc-js ceiling and redis-server,
// with load from separate worker processes; prints a table (or --json) and writes
// docs/benchmarks.md with an SVG chart. See docs/benchmarks.md for how to read the figures.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { checks, halfMaxRate, ratios } from './checks.js';
import { chartSvg } from './chart-svg.js';
import { ROOT, cpuMicros, installCleanup, sleep } from './children.js';
import { measureMemory, type MemoryRow } from './memory.js';
import type { Layout } from './memory-layouts.js';
import { modeLabel } from './load-plan.js';
import { parseArgs, runsFor, timing, type BenchOptions } from './plan.js';
import { hopsTable, runHops } from './hops.js';
import { abTable, runAb, runAbBase } from './ab.js';
import { prepareBase } from './base-build.js';
import { ratesTable, runRates } from './rates.js';
import { warmUp } from './warm-up.js';
import { runProfile } from './profile.js';
import { runRedisBench } from './redis-bench.js';
import { markdownReport, replaceSection, textReport, type BenchReport } from './report.js';
import { LoadWorkers, type RunResult } from './runner.js';
import { hasProgram, START_PART, startBare, startGokv, startRedis, type RedisTarget, type Target } from './targets.js';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Server CPU with no load (gossip, timers), % of one core summed over the target's processes. */
async function idleCpuPct(target: Target, ms: number): Promise<number> {
  const pids = target.procs.map((p) => p.child.pid!);
  const before = pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  await sleep(ms);
  const after = pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  return ((after - before) / 1e3 / ms) * 100;
}

/**
 * Loads targets that are up together, scenario by scenario: each plan runs on every target that
 * has it, one target right after the other. This VM's speed drifts by tens of percent over
 * minutes, so the bare server and one node are compared on runs seconds apart rather than
 * minutes apart. An idle target costs next to nothing (measured below), so they can all be up.
 */
async function loadTargets(workers: LoadWorkers, targets: readonly Target[], options: BenchOptions, runs: RunResult[], notes: string[]): Promise<void> {
  const t = timing(options.quick);
  for (const target of targets) await warmUp(workers, target, options.quick);
  // Read after the warm-up: right after start a cluster is still settling (hand-offs, JIT) and
  // used 14-32 % of a core for it, against 4-7 % once warm.
  for (const target of targets) {
    const idle = await idleCpuPct(target, options.quick ? 1000 : 3000);
    notes.push(`${target.name} with no load used ${idle.toFixed(1)} % of a core after its warm-up (all its processes; background work such as gossip is in every run's server us/op)`);
  }
  const preloaded = new Set<Target>();
  const plans = targets.map((target) => runsFor(target.name, options.quick));
  const order = plans.reduce((longest, p) => (p.length > longest.length ? p : longest));
  for (const plan of order) {
    for (const [i, target] of targets.entries()) {
      if (!plans[i]!.some((p) => p.scenario === plan.scenario && modeLabel(p.mode) === modeLabel(plan.mode))) continue;
      if (!preloaded.has(target) && (plan.scenario === 'hget' || plan.scenario === 'mixed')) {
        await workers.preload(target.addresses);
        preloaded.add(target);
      }
      const r = await workers.run(target, plan.scenario, plan.mode, t);
      log(`${r.target} ${r.scenario} ${r.mode}: ${Math.round(r.opsPerSec)} ops/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerOp.toFixed(1)} us/op${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}`);
      runs.push(r);
    }
  }
  for (const target of targets) {
    // The bare cluster runs at the gokv cluster's rate: the p99 its transport allows there.
    const rate = target.name === 'bare' ? undefined : halfMaxRate(runs, target.name === 'bare3' ? 'cluster3' : target.name);
    if (rate === undefined) continue;
    const r = await workers.run(target, 'hset', { kind: 'rate', opsPerSec: rate, maxInFlight: 256 }, t);
    log(`${r.target} hset ${r.mode}: p99 ${r.p99Ms.toFixed(2)} ms`);
    runs.push(r);
  }
}

/**
 * The bare server at the open-loop rates gokv was run at: the p99 that the load generators and
 * the machine allow, with no store behind the transport.
 */
async function harnessFloor(workers: LoadWorkers, options: BenchOptions, runs: RunResult[]): Promise<void> {
  const rated = runs.filter((r) => r.modeSpec.kind === 'rate' && r.target !== 'bare' && r.target !== 'bare3');
  if (!options.parts.has('bare') || rated.length === 0) return;
  log('starting bare again, at the open-loop rates of gokv');
  const bare = await startBare();
  try {
    await warmUp(workers, bare, options.quick);
    for (const r of rated) {
      const b = await workers.run(bare, 'hset', r.modeSpec, timing(options.quick));
      log(`bare hset ${b.mode}: p99 ${b.p99Ms.toFixed(2)} ms`);
      runs.push(b);
    }
  } finally {
    await bare.stop();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  installCleanup();
  if (options.profile) {
    await runProfile(options, log);
    return;
  }
  if (options.ab) {
    const rows = options.base === undefined ? await runAb(options, log) : await runAbBase(options, prepareBase(options.base, log), log);
    process.stdout.write(`${abTable(rows)}\n`);
    return;
  }
  if (options.rates.length > 0) {
    process.stdout.write(`${ratesTable(await runRates(options, log))}\n`);
    return;
  }
  if (options.hops) {
    process.stdout.write(`${hopsTable(await runHops(log))}\n`);
    return;
  }
  const started = Date.now();
  const loadBefore = loadavg();
  const runs: RunResult[] = [];
  const notes: string[] = [];
  const workers = await LoadWorkers.start(options.workers);
  // The bare server and one node are up together and loaded in turn; then the cluster with the
  // bare cluster (idle, the gokv cluster's three processes still wake for gossip, which would
  // weigh on one node's runs; --ab pairs the cluster with one node instead).
  for (const group of [['bare', 'single'], ['cluster', 'bare3']] as const) {
    const parts = group.filter((part) => options.parts.has(part));
    if (parts.length === 0) continue;
    log(`starting ${parts.join(' and ')}`);
    const targets: Target[] = [];
    try {
      for (const part of parts) targets.push(await START_PART[part]());
      await loadTargets(workers, targets, options, runs, notes);
    } finally {
      await Promise.all(targets.map((target) => target.stop()));
    }
  }
  await harnessFloor(workers, options, runs);
  await workers.stop();

  // gokv's RESP port under the same redis-benchmark runs as redis-server (issue 8).
  if (options.parts.has('resp') && ['redis-benchmark', 'redis-cli'].every(hasProgram)) {
    log('starting resp');
    const target = await startGokv(1, [], { resp: true });
    try {
      runs.push(...(await runRedisBench({ ...target, name: 'resp' }, options.quick, log)));
    } finally {
      await target.stop();
    }
  } else if (options.parts.has('resp')) notes.push('redis-benchmark or redis-cli not installed: RESP runs skipped');

  let redis: RedisTarget | undefined;
  const redisWanted = options.parts.has('redis') || options.parts.has('memory');
  if (redisWanted && ['redis-server', 'redis-benchmark', 'redis-cli'].every(hasProgram)) redis = await startRedis();
  else if (redisWanted) notes.push('redis-server, redis-benchmark or redis-cli not installed: Redis reference skipped');
  let memory: MemoryRow[] = [];
  try {
    if (redis && options.parts.has('redis')) runs.push(...(await runRedisBench(redis, options.quick, log)));
    if (options.parts.has('memory')) {
      const layouts: Layout[] = options.quick ? ['hash-100', 'list-100'] : ['hash-100', 'list-100', 'hash-1', 'hash-1-own-field', 'hash-1-some-ttl'];
      memory = await measureMemory(layouts, redis, log);
    }
  } finally {
    await redis?.stop();
  }

  const loadAfter = loadavg();
  const busy = runs.filter((r) => r.otherPct > 25);
  if (busy.length > 0) {
    notes.push(`other work used more than 25 % of a core during ${busy.length} of ${runs.length} runs (column "other CPU %"): their ops/s and latency are depressed; server us/op is less affected`);
  }
  if (options.quick) notes.push('--quick: short windows (0.7 s after 0.2 s of warm-up) and a subset of the runs; figures are indicative, rerun without --quick for the full matrix');
  const report: BenchReport = {
    machine: {
      date: new Date(started).toISOString(),
      nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
      cpuModel: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown',
      node: process.version,
      redis: hasProgram('redis-server') ? execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim() : null,
      command: process.env.npm_lifecycle_event === 'bench' ? `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` : `node dist/bench/main.js ${process.argv.slice(2).join(' ')}`.trim(),
      workers: options.workers,
      ...timing(options.quick),
      loadBefore,
      loadAfter,
      seconds: (Date.now() - started) / 1000,
    },
    runs,
    ratios: ratios(runs),
    checks: checks(runs, memory),
    memory,
    notes,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(textReport(report));
  if (options.writeDoc) {
    writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), chartSvg(runs, `gokv bench, ${report.machine.date} (${report.machine.command})`));
    const doc = join(ROOT, 'docs', 'benchmarks.md');
    const before = existsSync(doc) ? readFileSync(doc, 'utf8') : '# gokv benchmarks\n';
    writeFileSync(doc, replaceSection(before, markdownReport(report, 'benchmarks.svg')));
    log('wrote docs/benchmarks.md and docs/benchmarks.svg');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
