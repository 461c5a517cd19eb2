import type { Clock, TimerHandle } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import {
  writeSnapshot,
  type SnapshotResult,
  type SnapshotSource,
  type SnapshotWriteOptions,
} from './snapshot-writer.js';

export interface SnapshotterDeps {
  readonly source: SnapshotSource;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface SnapshotterOptions extends Partial<SnapshotWriteOptions> {
  readonly path: string;
  /** `persistence.persistence_interval`: ms between the end of one snapshot and the next; 0 = none. */
  readonly intervalMs: number;
}

const ignore = () => undefined;

/**
 * Takes snapshots one at a time: every `intervalMs` (timed from the end of the previous one, so a
 * slow disk never stacks them up) and on request. A request while one is being written waits for
 * it and then gets a fresh one, which covers every write acknowledged before the request; requests
 * arriving meanwhile share that next snapshot.
 */
export class Snapshotter {
  private timer: TimerHandle | undefined;
  private running: Promise<SnapshotResult> | undefined;
  private queued: Promise<SnapshotResult> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: SnapshotterDeps,
    private readonly options: SnapshotterOptions,
  ) {}

  /** Starts the periodic timer (nothing when intervalMs is 0). */
  start(): void {
    if (this.options.intervalMs > 0 && !this.stopped && this.timer === undefined) this.schedule();
  }

  /** A snapshot that starts no earlier than now; rejects with the write's error. */
  snapshotNow(reason = 'request'): Promise<SnapshotResult> {
    if (this.stopped) return Promise.reject(new Error('snapshots are stopped: the node is stopping'));
    return this.enqueue(reason);
  }

  /**
   * Clears the timer and waits for a snapshot in progress; then, with `final`, writes one last
   * snapshot (its failure is logged, not thrown: stopping goes on).
   */
  async stop(options: { final: boolean }): Promise<SnapshotResult | undefined> {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await (this.queued ?? this.running)?.catch(ignore);
    if (!options.final) return undefined;
    return this.launch('stop').catch(ignore);
  }

  private enqueue(reason: string): Promise<SnapshotResult> {
    if (this.queued !== undefined) return this.queued;
    if (this.running === undefined) return this.launch(reason);
    const next = this.running.catch(ignore).then(() => {
      this.queued = undefined;
      return this.launch(reason);
    });
    this.queued = next;
    return next;
  }

  private launch(reason: string): Promise<SnapshotResult> {
    const { source, clock, log } = this.deps;
    const { path, intervalMs: _interval, ...writeOptions } = this.options;
    const run: Promise<SnapshotResult> = writeSnapshot(source, clock, path, writeOptions)
      .then(
        (result) => {
          const { keys, bytes, durationMs, longestSliceMs } = result;
          log.info(
            { path, reason, keys, bytes, durationMs: Math.round(durationMs), longestSliceMs: round1(longestSliceMs) },
            'snapshot written',
          );
          return result;
        },
        (err: unknown) => {
          log.error({ path, reason, problem: err instanceof Error ? err.message : String(err) }, 'snapshot failed');
          throw err;
        },
      )
      .finally(() => {
        if (this.running === run) this.running = undefined;
      });
    this.running = run;
    return run;
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.enqueue('periodic')
        .catch(ignore) // logged in launch
        .then(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
  }
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;
