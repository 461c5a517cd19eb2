import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandTotals } from './command-metrics.js';
import { bucketQuantile, LiveWindow } from './live-window.js';
import { NodeMetrics } from './node-metrics.js';
import { idleSources } from './testing/idle-sources.js';

const BOUNDS = [0.001, 0.01, 0.1];
const totals = (count: number, buckets: number[]): CommandTotals => ({ count, buckets, boundsSeconds: BOUNDS });

describe('bucketQuantile', () => {
  it.each([
    ['an empty histogram', [0, 0, 0, 0], null],
    ['everything in the first bucket (starts at 0)', [100, 0, 0, 0], 0.00099],
    ['a rank inside the second bucket, interpolated', [50, 50, 0, 0], 0.001 + 0.009 * 0.98],
    ['the last finite bucket', [0, 0, 10, 0], 0.01 + 0.09 * 0.99],
    ['a rank in the overflow bucket: the highest finite bound', [1, 0, 0, 99], 0.1],
  ])('answers %s', (_name, counts, expected) => {
    const q = bucketQuantile(0.99, counts, BOUNDS);
    if (expected === null) expect(q).toBeNull();
    else expect(q).toBeCloseTo(expected, 9);
  });
});

describe('LiveWindow', () => {
  it('gives ops/s and p99 between the window base and now', () => {
    const w = new LiveWindow(10_000);
    w.record(0, totals(0, [0, 0, 0, 0]));
    w.record(1_000, totals(100, [100, 0, 0, 0]));
    const now = w.read(2_000, totals(300, [200, 100, 0, 0]));
    expect(now.opsPerSec).toBe(150);
    // rank 297 of 300: 97 of the 100 commands in (1 ms, 10 ms] -> 1 + 9 * 0.97 ms
    expect(now.p99LatencyMs).toBeCloseTo(9.73, 9);
  });

  it('forgets readings older than the window, so a burst fades out', () => {
    const w = new LiveWindow(5_000);
    w.record(0, totals(0, [0, 0, 0, 0]));
    w.record(1_000, totals(10_000, [0, 0, 0, 10_000])); // a slow burst in the first second
    for (let t = 2_000; t <= 12_000; t += 1_000) w.record(t, totals(10_000 + (t - 1_000) / 100, [(t - 1_000) / 100, 0, 0, 10_000]));
    const now = w.read(12_000, totals(10_110, [110, 0, 0, 10_000]));
    expect(now.opsPerSec).toBeCloseTo(10, 5);
    expect(now.p99LatencyMs).toBeLessThan(1); // the burst's slow commands left the window
  });

  it('answers no latency when nothing ran, and starts over after a counter reset', () => {
    const w = new LiveWindow(10_000);
    expect(w.read(0, totals(0, [0, 0, 0, 0]))).toEqual({ opsPerSec: 0, p99LatencyMs: null });
    w.record(0, totals(50, [50, 0, 0, 0]));
    expect(w.read(1_000, totals(50, [50, 0, 0, 0]))).toEqual({ opsPerSec: 0, p99LatencyMs: null });
    w.record(1_000, totals(5, [5, 0, 0, 0])); // the registry was reset
    expect(w.read(2_000, totals(25, [25, 0, 0, 0])).opsPerSec).toBe(20);
  });
});

describe('NodeMetrics.live', () => {
  const made: NodeMetrics[] = [];
  afterEach(() => {
    for (const m of made.splice(0)) m.stop();
  });

  it('reads the commands recorded for Prometheus without resetting them', async () => {
    const m = new NodeMetrics(idleSources(), { commandNames: ['PING'], maxMemoryBytes: 0 });
    made.push(m);
    m.start();
    const started = performance.now();
    await vi.waitFor(() => expect(performance.now()).toBeGreaterThan(started + 2)); // the base reading ages
    for (let i = 0; i < 20; i++) m.commandDone('PING', 'ok', 0.0004);
    const live = m.live();
    expect(live.opsPerSec).toBeGreaterThan(0);
    expect(live.p99LatencyMs).toBeGreaterThan(0.25);
    expect(live.p99LatencyMs).toBeLessThanOrEqual(0.5);
    expect(live.eventLoopDelayMs).toBeGreaterThanOrEqual(0);
    expect(await m.exposition()).toContain('gokv_commands_total{command="PING",outcome="ok"} 20');
  });
});
