import type { Metric, Registry } from 'prom-client';
import { ERROR_CODES, type ErrorCode } from '../errors/index.js';

/** How a command ended: `ok`, or the GokvError code it failed with. */
export type CommandOutcome = 'ok' | ErrorCode;

/** The label for names outside the command table, so clients cannot grow the series count. */
export const UNKNOWN_COMMAND = 'unknown';

const MAX_NAME_LENGTH = 32;
const OUTCOMES: readonly CommandOutcome[] = ['ok', ...ERROR_CODES];
const OUTCOME_INDEX = new Map<string, number>(OUTCOMES.map((o, i) => [o, i]));
const OUTCOME_LABELS = OUTCOMES.map((o) => o.toLowerCase());

/** One command's figures: plain numbers, so recording a command allocates and hashes nothing. */
interface Series {
  readonly command: string;
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf overflow. */
  readonly buckets: Float64Array;
  readonly outcomes: Float64Array;
  sum: number;
  count: number;
}

/** Cumulative counts of every command: total and per latency bucket (last slot: over the top bound). */
export interface CommandTotals {
  readonly count: number;
  readonly buckets: readonly number[];
  readonly boundsSeconds: readonly number[];
}

type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

/**
 * `gokv_commands_total{command,outcome}` and `gokv_command_duration_seconds{command}`. The hot
 * path (`done`, once per client command) bumps numbers in a per-command record: ~50 ns, where
 * prom-client's labelled observe + inc measured ~1.1 us (it hashes the labels on every call). The
 * two metrics are rendered from those records when the registry is collected.
 */
export class CommandMetrics {
  private readonly known: ReadonlySet<string>;
  private readonly bounds: readonly number[];
  /** By name as received (known names only, so the map stays bounded) and by label. */
  private readonly byName = new Map<string, Series>();
  private readonly series: Series[] = [];

  constructor(registry: Registry, commandNames: readonly string[], bucketsSeconds: readonly number[]) {
    this.known = new Set(commandNames.map((n) => n.toUpperCase()));
    this.bounds = [...bucketsSeconds].sort((a, b) => a - b);
    const counter = {
      name: 'gokv_commands_total',
      help: 'Commands received from clients (gRPC, REST and RESP), by command and outcome (ok or error code).',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ ...counter, values: this.counterValues() }),
      reset: () => this.reset(),
    };
    const histogram = {
      name: 'gokv_command_duration_seconds',
      help: 'Time from receiving a client command to its reply (forwarding and replication included).',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...histogram, values: this.histogramValues() }),
      reset: () => this.reset(),
    };
    // The registry reads only name, get() and reset(); prom-client's types list its own classes.
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
  }

  /** The bounded label for a client-supplied command name. */
  label(name: string): string {
    if (this.known.has(name)) return name;
    if (name.length > MAX_NAME_LENGTH) return UNKNOWN_COMMAND;
    const upper = name.toUpperCase();
    return this.known.has(upper) ? upper : UNKNOWN_COMMAND;
  }

  done(name: string, outcome: CommandOutcome, seconds: number): void {
    const s = this.byName.get(name) ?? this.seriesFor(name);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    s.buckets[i]! += 1;
    s.outcomes[OUTCOME_INDEX.get(outcome) ?? OUTCOME_INDEX.get('INTERNAL')!]! += 1;
    s.sum += seconds;
    s.count += 1;
  }

  /** Every command's counts summed: the live window (live-window.ts) diffs two of these. */
  totals(): CommandTotals {
    const buckets = new Array<number>(this.bounds.length + 1).fill(0);
    let count = 0;
    for (const s of this.series) {
      count += s.count;
      s.buckets.forEach((n, i) => (buckets[i]! += n));
    }
    return { count, buckets, boundsSeconds: this.bounds };
  }

  private seriesFor(name: string): Series {
    const command = this.label(name);
    let s = this.series.find((x) => x.command === command);
    if (s === undefined) {
      const buckets = new Float64Array(this.bounds.length + 1);
      s = { command, buckets, outcomes: new Float64Array(OUTCOMES.length), sum: 0, count: 0 };
      this.series.push(s);
    }
    if (command !== UNKNOWN_COMMAND) this.byName.set(name, s);
    return s;
  }

  private counterValues(): Value[] {
    const values: Value[] = [];
    for (const s of this.series) {
      s.outcomes.forEach((n, i) => {
        if (n > 0) values.push({ value: n, labels: { command: s.command, outcome: OUTCOME_LABELS[i]! } });
      });
    }
    return values;
  }

  private histogramValues(): Value[] {
    const values: Value[] = [];
    const bucket = 'gokv_command_duration_seconds_bucket';
    for (const s of this.series) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ value: cumulative, labels: { le, command: s.command }, metricName: bucket });
      });
      values.push({ value: s.count, labels: { le: '+Inf', command: s.command }, metricName: bucket });
      values.push({ value: s.sum, labels: { command: s.command }, metricName: 'gokv_command_duration_seconds_sum' });
      values.push({ value: s.count, labels: { command: s.command }, metricName: 'gokv_command_duration_seconds_count' });
    }
    return values;
  }

  private reset(): void {
    for (const s of this.series) {
      s.buckets.fill(0);
      s.outcomes.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
