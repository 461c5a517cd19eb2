// The issue's targets, computed from a run's results: CPU ratios to the bare server and to the
// single node, p99 at half the maximum throughput, and memory per hash field against Redis.
import type { MemoryRow } from './memory.js';
import type { RunResult } from './runner.js';

export interface Check {
  readonly target: string;
  readonly limit: string;
  readonly measured: string;
  /** null when the data for it was not measured in this run. */
  readonly pass: boolean | null;
}

export interface Ratio {
  readonly name: string;
  readonly scenario: string;
  readonly mode: string;
  readonly value: number;
}

const find = (runs: readonly RunResult[], target: string, scenario: string, mode: string) =>
  runs.find((r) => r.target === target && r.scenario === scenario && r.mode === mode && r.ops > 0);

/** The two-target ratios of CPU per operation that the report lists: [name, target, divided by]. */
const WRITE_RATIOS = [
  ['cluster / single CPU per write', 'cluster3', 'single'],
  // The transport alone: what three processes that forward and replicate cost against one.
  ['bare3 / bare CPU per write', 'bare3', 'bare'],
  ['cluster / bare3 CPU per write', 'cluster3', 'bare3'],
] as const;

/**
 * gokv single CPU/op ÷ bare CPU/op (HSET, HGET), and per HSET run the write ratios above:
 * cluster ÷ single, and the bare cluster's ratios that tell the transport's share of it.
 */
export function ratios(runs: readonly RunResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const r of runs) {
    if (r.target === 'single' && (r.scenario === 'hset' || r.scenario === 'hget')) {
      const bare = find(runs, 'bare', r.scenario, r.mode);
      if (bare && r.ops > 0) out.push({ name: 'single / bare CPU per op', scenario: r.scenario, mode: r.mode, value: r.cpuUsPerOp / bare.cpuUsPerOp });
    }
  }
  for (const [name, target, base] of WRITE_RATIOS) {
    for (const r of runs) {
      if (r.target !== target || r.scenario !== 'hset' || r.modeSpec.kind === 'rate') continue;
      const under = find(runs, base, 'hset', r.mode);
      if (under && r.ops > 0) out.push({ name, scenario: 'hset', mode: r.mode, value: r.cpuUsPerOp / under.cpuUsPerOp });
    }
  }
  return out;
}

const fmt = (values: readonly number[]) =>
  values.length === 0 ? '-' : values.length === 1 ? values[0]!.toFixed(2) : `${Math.min(...values).toFixed(2)} .. ${Math.max(...values).toFixed(2)}`;

const fmtMs = (ms: number | null) => (ms === null ? '-' : `${ms.toFixed(2)} ms`);

/** "lo .. hi x (worst MODE)" over the ratios named `name`. */
function ratioRange(list: readonly Ratio[], name: string): string {
  const mine = list.filter((r) => r.name === name);
  const worst = mine.reduce<Ratio | undefined>((w, r) => (w === undefined || r.value > w.value ? r : w), undefined);
  return `${fmt(mine.map((r) => r.value))}x (worst ${worst?.mode ?? '-'})`;
}

function ratioCheck(list: readonly Ratio[], name: string, limit: number, target: string, reference?: { label: string; name: string }): Check {
  const values = list.filter((r) => r.name === name).map((r) => r.value);
  const ref = reference && list.some((r) => r.name === reference.name) ? `; ${reference.label}: ${ratioRange(list, reference.name)}` : '';
  return {
    target,
    limit: `<= ${limit}x`,
    measured: `${ratioRange(list, name)}${ref}`,
    pass: values.length === 0 ? null : Math.max(...values) <= limit,
  };
}

export function checks(runs: readonly RunResult[], memory: readonly MemoryRow[]): Check[] {
  const list = ratios(runs);
  const out = [
    ratioCheck(list, 'single / bare CPU per op', 1.2, 'single node CPU per HSET/HGET vs bare server (RunCommand and StreamCommand)'),
    ratioCheck(list, 'cluster / single CPU per write', 3.5, 'three nodes, replicas 2 (sync): cluster CPU per write vs single node', {
      label: 'the same for the transport alone (bare cluster / bare server)',
      name: 'bare3 / bare CPU per write',
    }),
  ];
  for (const target of ['cluster3', 'single']) {
    const rate = runs.find((r) => r.target === target && r.modeSpec.kind === 'rate');
    const floors = [['bare server', 'bare'], ...(target === 'cluster3' ? [['bare cluster', 'bare3']] : [])].flatMap(([label, name]) => {
      const floor = rate && find(runs, name!, 'hset', rate.mode);
      return floor ? [`${label} at that rate: ${floor.p99Ms.toFixed(2)} ms`] : [];
    });
    out.push({
      target: `${target === 'single' ? 'single node' : 'three nodes'}: HSET p99 at half the maximum RunCommand throughput`,
      limit: '<= 5 ms',
      measured: rate
        ? `${rate.p99Ms.toFixed(2)} ms at ${Math.round(rate.opsPerSec)} ops/s${floors.length > 0 ? ` (${floors.join('; ')})` : ''}`
        : '-',
      pass: rate ? rate.p99Ms <= 5 : null,
    });
    // The nodes' view: the handler's p99 plus the event-loop delay p99, which bounds how long a
    // request waits to be read (a conservative sum of two p99s; server-latency.ts).
    const server = rate?.server;
    const serverP99 = server?.p99Ms == null ? null : server.p99Ms + (server.loopDelayP99Ms ?? 0);
    // The same wait measured alike (bench hook) in gokv and in the bare server at that rate.
    const bareLoop = rate && find(runs, 'bare', 'hset', rate.mode)?.loopDelayP99Ms;
    const hookLoop = rate?.loopDelayP99Ms != null && bareLoop != null ? `; event-loop delay p99 by the bench hook: gokv ${fmtMs(rate.loopDelayP99Ms)}, bare server at that rate ${fmtMs(bareLoop)}` : '';
    out.push({
      target: `${target === 'single' ? 'single node' : 'three nodes'}: the same, as the nodes measure it (command p99 + event-loop delay p99)`,
      limit: '<= 5 ms',
      measured: server
        ? `${fmtMs(serverP99)}: commands ${fmtMs(server.p99Ms)} (${server.overThresholdPct === null ? '-' : `${server.overThresholdPct.toFixed(1)} %`} of ${server.commands} over ${server.thresholdMs} ms) + event-loop delay ${fmtMs(server.loopDelayP99Ms)} (worst node)${hookLoop}`
        : '-',
      pass: serverP99 === null ? null : serverP99 <= 5,
    });
  }
  // Issue 8: gokv's RESP port vs redis-server, the same redis-benchmark invocation.
  for (const pipelined of [false, true]) {
    const mine = runs.filter((r) => r.target === 'resp' && r.mode.includes('-P') === pipelined);
    const values = mine.flatMap((r) => {
      const redis = find(runs, 'redis', r.scenario, r.mode);
      return redis && redis.opsPerSec > 0 ? [{ scenario: r.scenario, value: r.opsPerSec / redis.opsPerSec }] : [];
    });
    const limit = pipelined ? 0.35 : 0.6;
    out.push({
      target: `RESP on one node vs redis-server, redis-benchmark ${pipelined ? '-P 16' : 'without pipelining'} (HSET, HGET)`,
      limit: `>= ${limit}x ops/s`,
      measured: values.length === 0 ? '-' : values.map((v) => `${v.scenario} ${v.value.toFixed(2)}x`).join(', '),
      pass: values.length === 0 ? null : Math.min(...values.map((v) => v.value)) >= limit,
    });
  }
  for (const m of memory.filter((row) => row.layout.startsWith('hash'))) {
    const ratio = m.redisBytesPerEntry ? m.gokvBytesPerEntry / m.redisBytesPerEntry : null;
    out.push({
      target: `memory per hash field vs redis-server (${m.about})`,
      limit: '<= 2x',
      measured: ratio === null ? `${m.gokvBytesPerEntry.toFixed(0)} B (no redis)` : `${m.gokvBytesPerEntry.toFixed(0)} B vs ${m.redisBytesPerEntry!.toFixed(0)} B = ${ratio.toFixed(2)}x`,
      pass: ratio === null ? null : ratio <= 2,
    });
  }
  return out;
}

/** Half of the highest RunCommand HSET throughput measured on `target` (the open-loop rate). */
export function halfMaxRate(runs: readonly RunResult[], target: string): number | undefined {
  const best = Math.max(0, ...runs.filter((r) => r.target === target && r.scenario === 'hset' && r.modeSpec.kind === 'unary').map((r) => r.opsPerSec));
  return best > 0 ? best / 2 : undefined;
}
