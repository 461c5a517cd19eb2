import { describe, expect, it } from 'vitest';
import { checks, ratios } from './checks.js';
import type { RunResult } from './runner.js';
import type { ServerLatency } from './server-latency.js';

const rateRun = (target: string, server?: ServerLatency): RunResult => ({
  target,
  scenario: 'hset',
  mode: 'Run @500/s',
  modeSpec: { kind: 'rate', opsPerSec: 500, maxInFlight: 256 },
  ops: 2500,
  errors: 0,
  opsPerSec: 500,
  p50Ms: 2,
  p99Ms: 40,
  p999Ms: 60,
  cpuUsPerOp: 300,
  cpuPct: 15,
  clientUsPerOp: 500,
  otherPct: 0,
  elu: 0.2,
  loopDelayP99Ms: 3,
  ...(server ? { server } : {}),
});

const latency = (p99Ms: number, loopDelayP99Ms: number | null): ServerLatency => ({
  commands: 2500,
  p99Ms,
  overThresholdPct: 0.4,
  thresholdMs: 5,
  loopDelayP99Ms,
});

const serverRow = (runs: RunResult[], who: string) => checks(runs, []).find((c) => c.target.startsWith(`${who}: the same, as the nodes`))!;

describe('the p99 target as the nodes measure it', () => {
  it('adds the event-loop delay to the command p99 before comparing with 5 ms', () => {
    const met = serverRow([rateRun('single', latency(0.3, 2.5))], 'single node');
    expect(met.pass).toBe(true);
    expect(met.measured).toBe('2.80 ms: commands 0.30 ms (0.4 % of 2500 over 5 ms) + event-loop delay 2.50 ms (worst node)');
    // The commands alone are fast; waiting to be read is not: missed.
    expect(serverRow([rateRun('cluster3', latency(0.3, 4.9))], 'three nodes').pass).toBe(false);
  });

  it('shows the event-loop delay the bench hook measured in gokv and in the bare server at that rate', () => {
    const row = serverRow([rateRun('single', latency(0.3, 2.5)), { ...rateRun('bare'), loopDelayP99Ms: 1.25 }], 'single node');
    expect(row.measured).toBe(
      '2.80 ms: commands 0.30 ms (0.4 % of 2500 over 5 ms) + event-loop delay 2.50 ms (worst node); event-loop delay p99 by the bench hook: gokv 3.00 ms, bare server at that rate 1.25 ms',
    );
  });

  it('says not measured when the run has no server reading, and keeps the client-side row', () => {
    const runs = [rateRun('single')];
    expect(serverRow(runs, 'single node').pass).toBeNull();
    const client = checks(runs, []).find((c) => c.target.startsWith('single node: HSET p99'))!;
    expect(client.pass).toBe(false);
    expect(client.measured).toContain('40.00 ms at 500 ops/s');
  });
});

const closedRun = (target: string, mode: string, cpuUsPerOp: number): RunResult => ({
  ...rateRun(target),
  mode,
  modeSpec: { kind: 'unary', inFlight: Number(mode.slice('Run C='.length)) },
  cpuUsPerOp,
});

describe('the bare cluster beside the cluster ratio', () => {
  const runs = [
    closedRun('bare', 'Run C=1', 100),
    closedRun('single', 'Run C=1', 110),
    closedRun('bare3', 'Run C=1', 400),
    closedRun('cluster3', 'Run C=1', 440),
    closedRun('bare', 'Run C=16', 50),
    closedRun('single', 'Run C=16', 60),
    closedRun('bare3', 'Run C=16', 100),
    closedRun('cluster3', 'Run C=16', 150),
    rateRun('cluster3'),
    { ...rateRun('bare'), p99Ms: 12 },
    { ...rateRun('bare3'), p99Ms: 25 },
  ];

  it('divides each HSET run by the matching run of the other target, open-loop runs aside', () => {
    const byName = (name: string) => ratios(runs).filter((r) => r.name === name).map((r) => [r.mode, r.value]);
    expect(byName('cluster / single CPU per write')).toEqual([['Run C=1', 4], ['Run C=16', 2.5]]);
    expect(byName('bare3 / bare CPU per write')).toEqual([['Run C=1', 4], ['Run C=16', 2]]);
    expect(byName('cluster / bare3 CPU per write')).toEqual([['Run C=1', 1.1], ['Run C=16', 1.5]]);
  });

  it("shows the transport's own ratio in the cluster row, which still judges gokv alone", () => {
    const row = checks(runs, []).find((c) => c.target.startsWith('three nodes, replicas 2'))!;
    expect(row.pass).toBe(false);
    expect(row.measured).toBe('2.50 .. 4.00x (worst Run C=1); the same for the transport alone (bare cluster / bare server): 2.00 .. 4.00x (worst Run C=1)');
  });

  it("gives both floors for the cluster's p99 at its open-loop rate", () => {
    const row = checks(runs, []).find((c) => c.target.startsWith('three nodes: HSET p99'))!;
    expect(row.measured).toBe('40.00 ms at 500 ops/s (bare server at that rate: 12.00 ms; bare cluster at that rate: 25.00 ms)');
  });
});
