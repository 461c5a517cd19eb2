import { describe, expect, it } from 'vitest';
import { NodeMetrics } from '../internal/metrics/index.js';
import { idleSources } from '../internal/metrics/testing/idle-sources.js';
import { readLatency, serverLatency, type LatencyReading } from './server-latency.js';

/** A node's real metrics, as its /metrics would expose them. */
function node(): NodeMetrics {
  return new NodeMetrics(idleSources(), { commandNames: ['HSET', 'HGET'], maxMemoryBytes: 0 });
}

const record = (m: NodeMetrics, command: string, ms: number, times: number) => {
  for (let i = 0; i < times; i++) m.commandDone(command, 'ok', ms / 1000);
};
const read = async (m: NodeMetrics, command = 'HSET') => readLatency(await m.exposition(), command);

describe('server latency from /metrics', () => {
  it('counts only the window between the readings, over every node', async () => {
    const a = node();
    const b = node();
    record(a, 'HSET', 50, 1000); // before the window: must not count
    const before = [await read(a), await read(b)];
    record(a, 'HSET', 0.3, 495);
    record(b, 'HSET', 0.3, 495);
    record(b, 'HSET', 20, 10); // 1 % of the window over 5 ms
    record(a, 'HGET', 90, 500); // another command: must not count
    const r = serverLatency(before, [await read(a), await read(b)]);
    expect(r.commands).toBe(1000);
    expect(r.overThresholdPct).toBeCloseTo(1, 10);
    // Rank 990 is the last of the 0.25-0.5 ms bucket's 990 commands.
    expect(r.p99Ms).toBeCloseTo(0.5, 10);
  });

  it('puts the p99 in the bucket of the slowest 1 %', async () => {
    const a = node();
    const before = [await read(a)];
    record(a, 'HSET', 0.3, 980);
    record(a, 'HSET', 7, 20); // 2 %: the p99 falls in the 5-10 ms bucket
    const r = serverLatency(before, [await read(a)]);
    expect(r.overThresholdPct).toBeCloseTo(2, 10);
    expect(r.p99Ms).toBeGreaterThan(5);
    expect(r.p99Ms).toBeLessThanOrEqual(10);
  });

  it('treats a node that has not answered the command yet as zeros', async () => {
    const a = node();
    const b = node();
    const before = [await read(a), await read(b)];
    expect(before[0]!.cumulative).toEqual([]);
    record(a, 'HSET', 1, 10);
    const r = serverLatency(before, [await read(a), await read(b)]);
    expect(r.commands).toBe(10);
    expect(r.overThresholdPct).toBe(0);
  });

  it('refuses counts that went down and bounds that differ', () => {
    const one = (cumulative: number[], bounds = [0.001, 0.005]): LatencyReading => ({ bounds, cumulative, loopDelayP99Ms: null });
    expect(() => serverLatency([one([5, 6, 7])], [one([1, 2, 3])])).toThrow(/went down/);
    expect(() => serverLatency([one([1, 2, 3])], [one([1, 2, 3], [0.001, 0.01])])).toThrow(/differ/);
  });

  it('reads the event-loop delay p99 as the node reports it', () => {
    const text = [
      '# HELP gokv_event_loop_delay_seconds d',
      '# TYPE gokv_event_loop_delay_seconds gauge',
      'gokv_event_loop_delay_seconds{stat="p50"} 0.0001',
      'gokv_event_loop_delay_seconds{stat="p99"} 0.0035',
      '',
    ].join('\n');
    expect(readLatency(text, 'HSET').loopDelayP99Ms).toBeCloseTo(3.5, 6);
  });
});
