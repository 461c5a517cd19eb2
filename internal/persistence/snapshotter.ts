import type { Clock, TimerHandle } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import { lockSnapshotPath } from './path-lock.js';
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

/** What INFO persistence and the metrics report about a node's snapshots. */
export interface SnapshotStatus {
  readonly inProgress: boolean;
  /** Snapshots written, and failed, since the node started. */
  readonly saves: number;
  readonly failures: number;
  /** Whether the last snapshot was written (true before any). */
  readonly lastOk: boolean;
  /** Wall-clock ms when the last successful snapshot finished. */
  readonly lastSuccessAtMs?: number;
  /** How long the last snapshot took, written or not. */
  readonly lastDurationMs?: number;
}

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
  /** The path's lock (path-lock.ts), taken before the first write and released at stop. */
  private claim: Promise<() => Promise<void>> | undefined;
  private counts = { saves: 0, failures: 0, lastOk: true, lastSuccessAtMs: undefined as number | undefined, lastDurationMs: undefined as number | undefined };

  constructor(
    private readonly deps: SnapshotterDeps,
    private readonly options: SnapshotterOptions,
  ) {}

  /**
   * Claims the path for this process (done before every write anyway): rejects with
   * PathInUseError while another live gokv holds it. A failure is not kept: the next try retries.
   */
  claimPath(): Promise<void> {
    this.claim ??= lockSnapshotPath(this.options.path).catch((err: unknown) => {
      this.claim = undefined;
      throw err;
    });
    return this.claim.then(() => undefined);
  }

  status(): SnapshotStatus {
    const { lastSuccessAtMs, lastDurationMs, ...rest } = this.counts;
    return {
      inProgress: this.running !== undefined,
      ...rest,
      ...(lastSuccessAtMs === undefined ? {} : { lastSuccessAtMs }),
      ...(lastDurationMs === undefined ? {} : { lastDurationMs }),
    };
  }

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
   * snapshot, rejecting with its error (logged already) if it fails: the caller decides what a
   * stop that lost the writes since the previous snapshot means.
   */
  async stop(options: { final: boolean }): Promise<SnapshotResult | undefined> {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await (this.queued ?? this.running)?.catch(ignore);
    try {
      return options.final ? await this.launch('stop') : undefined;
    } finally {
      const release = await this.claim?.catch(() => undefined);
      this.claim = undefined;
      await release?.();
    }
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
    const began = clock.monotonic();
    const run: Promise<SnapshotResult> = this.claimPath()
      .then(() => writeSnapshot(source, clock, path, writeOptions))
      .then(
        (result) => {
          const { keys, bytes, durationMs, longestSliceMs } = result;
          Object.assign(this.counts, { saves: this.counts.saves + 1, lastOk: true, lastSuccessAtMs: result.finishedAtMs, lastDurationMs: durationMs });
          log.info(
            { path, reason, keys, bytes, durationMs: Math.round(durationMs), longestSliceMs: round1(longestSliceMs) },
            'snapshot written',
          );
          return result;
        },
        (err: unknown) => {
          Object.assign(this.counts, { failures: this.counts.failures + 1, lastOk: false, lastDurationMs: clock.monotonic() - began });
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
