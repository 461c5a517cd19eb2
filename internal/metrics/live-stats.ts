import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CommandTotals } from './command-metrics.js';
import { LiveWindow, type LiveFigures } from './live-window.js';

const NS_PER_MS = 1e6;

export interface LiveStatsOptions {
  /** How far back ops/s and p99 latency look (default 10 s). */
  readonly windowMs?: number;
  /** How often the counters are read and the event-loop delay summarised (default 1 s). */
  readonly tickMs?: number;
  /** Event-loop sampling resolution in ms (default 10). */
  readonly resolutionMs?: number;
}

/**
 * The thin scheduler around LiveWindow: once a second it records the command totals and takes
 * the p99 of its own event-loop delay monitor (separate from the Prometheus one, which resets on
 * every scrape). Node's monitor reports the whole timer interval, so the resolution is taken off
 * to give the delay itself. Timers are unref'd; stop() clears them.
 */
export class LiveStats {
  private readonly window: LiveWindow;
  private readonly loop: IntervalHistogram;
  private readonly tickMs: number;
  private readonly resolutionMs: number;
  private timer: NodeJS.Timeout | undefined;
  private loopDelayMs = 0;

  constructor(
    private readonly totals: () => CommandTotals,
    options: LiveStatsOptions = {},
  ) {
    this.window = new LiveWindow(options.windowMs ?? 10_000);
    this.tickMs = options.tickMs ?? 1_000;
    this.resolutionMs = options.resolutionMs ?? 10;
    this.loop = monitorEventLoopDelay({ resolution: this.resolutionMs });
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.loop.enable();
    this.window.record(performance.now(), this.totals());
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.loop.disable();
  }

  read(): LiveFigures {
    return { ...this.window.read(performance.now(), this.totals()), eventLoopDelayMs: this.loopDelayMs };
  }

  private tick(): void {
    this.window.record(performance.now(), this.totals());
    if (this.loop.count > 0) this.loopDelayMs = Math.max(0, this.loop.percentile(99) / NS_PER_MS - this.resolutionMs);
    this.loop.reset();
  }
}
