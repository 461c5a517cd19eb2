import type { IntervalHistogram } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventLoopDelay } from './event-loop.js';

/** A monitor's histogram with fixed readings in ns (Node records each whole timer interval). */
function fixedHistogram(ns: { min: number; mean: number; p50: number; p90: number; p99: number; max: number }) {
  let resets = 0;
  const h = {
    count: 100,
    min: ns.min,
    mean: ns.mean,
    max: ns.max,
    percentile: (p: number) => (p === 50 ? ns.p50 : p === 90 ? ns.p90 : ns.p99),
    reset: () => void resets++,
    enable: () => true,
    disable: () => true,
  };
  return { histogram: h as unknown as IntervalHistogram, resets: () => resets };
}

describe('gokv_event_loop_delay_seconds', () => {
  it('leaves out the sampling interval: an idle loop reads about 0, a 25 ms stall 25 ms', async () => {
    const registry = new Registry();
    const ms = 1e6;
    const fake = fixedHistogram({ min: 10.02 * ms, mean: 10.5 * ms, p50: 10.1 * ms, p90: 11 * ms, p99: 14 * ms, max: 35 * ms });
    new EventLoopDelay(registry, 10, fake.histogram);
    const text = await registry.metrics();
    const stat = (s: string) => Number(new RegExp(`gokv_event_loop_delay_seconds\\{stat="${s}"\\} (\\S+)`).exec(text)![1]);
    expect(stat('min')).toBeCloseTo(0.00002, 8);
    expect(stat('mean')).toBeCloseTo(0.0005, 8);
    expect(stat('p50')).toBeCloseTo(0.0001, 8);
    expect(stat('p90')).toBeCloseTo(0.001, 8);
    expect(stat('p99')).toBeCloseTo(0.004, 8);
    expect(stat('max')).toBeCloseTo(0.025, 8);
    expect(fake.resets()).toBe(1);
  });

  it('never reads below 0', async () => {
    const registry = new Registry();
    const fake = fixedHistogram({ min: 9e6, mean: 9e6, p50: 9e6, p90: 9e6, p99: 9e6, max: 9e6 });
    new EventLoopDelay(registry, 10, fake.histogram);
    expect(await registry.metrics()).toContain('gokv_event_loop_delay_seconds{stat="min"} 0');
  });
});
