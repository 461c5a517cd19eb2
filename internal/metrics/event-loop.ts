import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const NS_PER_SECOND = 1e9;

/**
 * `gokv_event_loop_delay_seconds{stat}`: min, mean, p50, p90, p99 and max of the event-loop
 * delay sampled since the previous scrape (the histogram is reset on each collection). Nothing
 * is sampled until `start()`; `stop()` disables the monitor. The delay is the process's, so
 * several nodes in one process report the same loop.
 */
export class EventLoopDelay {
  private readonly histogram: IntervalHistogram;
  private running = false;

  constructor(registry: Registry, resolutionMs: number) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    const histogram = this.histogram;
    new Gauge<'stat'>({
      name: 'gokv_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape, by statistic (min, mean, p50, p90, p99, max).',
      labelNames: ['stat'],
      registers: [registry],
      collect() {
        this.reset();
        if (histogram.count === 0) return;
        this.set({ stat: 'min' }, histogram.min / NS_PER_SECOND);
        this.set({ stat: 'mean' }, histogram.mean / NS_PER_SECOND);
        this.set({ stat: 'p50' }, histogram.percentile(50) / NS_PER_SECOND);
        this.set({ stat: 'p90' }, histogram.percentile(90) / NS_PER_SECOND);
        this.set({ stat: 'p99' }, histogram.percentile(99) / NS_PER_SECOND);
        this.set({ stat: 'max' }, histogram.max / NS_PER_SECOND);
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
