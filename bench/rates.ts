// `npm run bench -- --rates 300,1200 [--only bare,single,cluster,bare3] [--rounds N]`: open-loop
// HSET runs only, at the rates given, on the targets up together, in A B C then C B A order,
// `rounds` times. For the p99 target away from `npm run bench`'s one rate (half the maximum):
// the clients' p99, the event-loop delay p99 that the bench hook measures alike in every server,
// and, for gokv, the command p99 the nodes measured (server-latency.ts).
import type { BenchOptions } from './plan.js';
import { mdTable } from './report.js';
import { LoadWorkers, type RunResult } from './runner.js';
import { START_PART, type Target } from './targets.js';
import { warmUp } from './warm-up.js';

export async function runRates(options: BenchOptions, log: (line: string) => void): Promise<RunResult[]> {
  const workers = await LoadWorkers.start(options.workers);
  const targets: Target[] = [];
  const runs: RunResult[] = [];
  try {
    for (const part of (Object.keys(START_PART) as Array<keyof typeof START_PART>).filter((p) => options.parts.has(p))) targets.push(await START_PART[part]());
    for (const target of targets) await warmUp(workers, target, options.quick);
    const t = { warmupMs: 1000, measureMs: options.quick ? 2000 : 5000 };
    for (let round = 0; round < options.rounds; round++) {
      for (const rate of options.rates) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const r = await workers.run(target, 'hset', { kind: 'rate', opsPerSec: rate, maxInFlight: 256 }, t);
          log(`${r.target} ${r.mode}: p99 ${r.p99Ms.toFixed(2)} ms, loop delay p99 ${r.loopDelayP99Ms?.toFixed(2) ?? '-'} ms`);
          runs.push(r);
        }
      }
    }
  } finally {
    await workers.stop();
    await Promise.all(targets.map((target) => target.stop()));
  }
  return runs;
}

const ms = (v: number | null | undefined) => (v == null ? '-' : v.toFixed(2));

export function ratesTable(runs: readonly RunResult[]): string {
  const head = ['target', 'rate', 'round', 'ops/s', 'client p50 ms', 'client p99 ms', 'loop delay p99 ms', 'nodes: command p99 ms', 'nodes: % over 5 ms', 'server us/op'];
  const seen = new Map<string, number>();
  return mdTable(
    head,
    runs.map((r) => {
      const key = `${r.target} ${r.mode}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return [
        r.target,
        r.mode,
        String(seen.get(key)),
        r.opsPerSec.toFixed(0),
        ms(r.p50Ms),
        ms(r.p99Ms),
        ms(r.loopDelayP99Ms),
        ms(r.server?.p99Ms),
        r.server?.overThresholdPct == null ? '-' : r.server.overThresholdPct.toFixed(1),
        r.cpuUsPerOp.toFixed(1),
      ];
    }),
  );
}
