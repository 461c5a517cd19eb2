import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const NS_PER_SECOND = 1e9;

/**
 * `gokv_event_loop_delay_seconds{stat}`: min, mean, p50, p90, p99 and max of the event-loop
 * delay sampled since the previous scrape (the histogram is reset on each collection). Node's
 * monitor records each whole timer interval, so the sampling resolution is taken off every
 * figure (an idle loop reads about 0, as on the dashboard, not 10 ms). Nothing is sampled until
 * `start()`; `stop()` disables the monitor. The delay is the process's, so several nodes in one
 * process report the same loop.
 */
export class EventLoopDelay {
  private readonly histogram: IntervalHistogram;
  private running = false;

  /** `monitor`: for tests, a histogram with known readings instead of Node's. */
  constructor(registry: Registry, resolutionMs: number, monitor?: IntervalHistogram) {
    this.histogram = monitor ?? monitorEventLoopDelay({ resolution: resolutionMs });
    const histogram = this.histogram;
    const seconds = (ns: number): number => Math.max(0, ns - resolutionMs * 1e6) / NS_PER_SECOND;
    new Gauge<'stat'>({
      name: 'gokv_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape, by statistic (min, mean, p50, p90, p99, max).',
      labelNames: ['stat'],
      registers: [registry],
      collect() {
        this.reset();
        if (histogram.count === 0) return;
        this.set({ stat: 'min' }, seconds(histogram.min));
        this.set({ stat: 'mean' }, seconds(histogram.mean));
        this.set({ stat: 'p50' }, seconds(histogram.percentile(50)));
        this.set({ stat: 'p90' }, seconds(histogram.percentile(90)));
        this.set({ stat: 'p99' }, seconds(histogram.percentile(99)));
        this.set({ stat: 'max' }, seconds(histogram.max));
        histogram.reset();
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.histogram.enable();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.histogram.disable();
  }
}
