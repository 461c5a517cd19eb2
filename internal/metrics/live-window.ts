import type { CommandTotals } from './command-metrics.js';

/** A node's own figures over the last few seconds, for the dashboard (not for Prometheus). */
export interface LiveFigures {
  /** Client commands per second over the window. */
  readonly opsPerSec: number;
  /** Estimated p99 command latency over the window, in ms; null when no command ran in it. */
  readonly p99LatencyMs: number | null;
  /** p99 event-loop delay of the last sampling period, beyond the sampling interval, in ms. */
  readonly eventLoopDelayMs: number;
}

interface Sample {
  readonly atMs: number;
  readonly count: number;
  readonly buckets: readonly number[];
}

/**
 * Ops/s and p99 latency over a sliding window, from readings of the cumulative command counts
 * (the same numbers `gokv_commands_total` and the latency histogram export). Pure: the caller
 * records a reading now and then (every second) and passes the time, so tests need no timers.
 * Reading the window never resets anything, so Prometheus scrapes and dashboards do not interfere.
 */
export class LiveWindow {
  private samples: Sample[] = [];

  constructor(private readonly windowMs: number) {}

  /** Keeps a reading; readings older than the window (but the newest such one) are dropped. */
  record(atMs: number, totals: CommandTotals): void {
    const last = this.samples.at(-1);
    // Counters only fall when the registry was reset: what came before no longer compares.
    if (last !== undefined && totals.count < last.count) this.samples = [];
    this.samples.push({ atMs, count: totals.count, buckets: [...totals.buckets] });
    // The oldest kept reading is the newest one at least windowMs old: the window's base.
    while (this.samples.length > 1 && this.samples[1]!.atMs <= atMs - this.windowMs) this.samples.shift();
  }

  /** Rates between the window's base reading and `totals` read at `atMs`. */
  read(atMs: number, totals: CommandTotals): Omit<LiveFigures, 'eventLoopDelayMs'> {
    const base = this.samples[0];
    const seconds = base === undefined ? 0 : (atMs - base.atMs) / 1000;
    if (base === undefined || seconds <= 0 || totals.count < base.count) return { opsPerSec: 0, p99LatencyMs: null };
    const deltas = totals.buckets.map((n, i) => n - (base.buckets[i] ?? 0));
    const p99 = bucketQuantile(0.99, deltas, totals.boundsSeconds);
    return { opsPerSec: (totals.count - base.count) / seconds, p99LatencyMs: p99 === null ? null : p99 * 1000 };
  }
}

/**
 * The q-quantile of a histogram given as per-bucket (not cumulative) counts, interpolated
 * linearly inside its bucket as Prometheus's histogram_quantile does; the first bucket starts at
 * 0, and a rank in the overflow bucket answers the highest finite bound. Null when empty.
 */
export function bucketQuantile(q: number, counts: readonly number[], bounds: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && below + n >= rank) {
      const upper = bounds[i];
      if (upper === undefined) return bounds.at(-1) ?? null;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + (upper - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return bounds.at(-1) ?? null;
}
