import { Registry } from 'prom-client';
import { CommandMetrics, type CommandOutcome } from './command-metrics.js';
import { EventLoopDelay } from './event-loop.js';
import { LiveStats } from './live-stats.js';
import type { LiveFigures } from './live-window.js';
import { pulledCounter, pulledGauge, pulledLabelledCounter, pulledLabelledGauge } from './pulled.js';
import {
  DEFAULT_LATENCY_BUCKETS_SECONDS,
  type MetricsOptions,
  type MetricsSources,
  type RebalanceProgress,
} from './sources.js';

/** How a forwarded command ended: answered, answered with an error, or the hop itself failed. */
export type ForwardOutcome = 'ok' | 'error' | 'transport';

/**
 * One node's metrics: its own prom-client Registry (never the global one, so several nodes can
 * share a process), a typed recording API for the hot paths, and gauges and counters read from
 * `MetricsSources` when the registry is collected. `start()`/`stop()` run the event-loop monitor.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly commands: CommandMetrics;
  // Plain numbers on the hot paths; exported when the registry is collected.
  private readonly forwards = new Map<ForwardOutcome, number>([['ok', 0], ['error', 0], ['transport', 0]]);
  private readonly replicationOps = new Map<'write' | 'state', number>([['write', 0], ['state', 0]]);
  private readonly eventLoop: EventLoopDelay;
  private readonly liveStats: LiveStats;

  constructor(sources: MetricsSources, options: MetricsOptions) {
    const r = this.registry;
    const buckets = options.latencyBucketsSeconds ?? DEFAULT_LATENCY_BUCKETS_SECONDS;
    this.commands = new CommandMetrics(r, options.commandNames, buckets);
    this.eventLoop = new EventLoopDelay(r, options.eventLoopResolutionMs ?? 10);
    this.liveStats = new LiveStats(() => this.commands.totals(), { resolutionMs: options.eventLoopResolutionMs ?? 10 });
    const gossip = () => sources.gossip();

    // The store.
    pulledGauge(r, 'gokv_keys', 'Keys held by this node (leader and replica copies).', () => sources.keys());
    pulledGauge(r, 'gokv_memory_used_bytes', 'Memory accounted by the store (keys and tombstones), in bytes.', () =>
      sources.usedMemoryBytes(),
    );
    pulledGauge(r, 'gokv_tombstones', 'Deleted keys whose version is still remembered.', () => sources.tombstones().count);
    pulledGauge(r, 'gokv_tombstone_memory_bytes', 'Bytes the tombstones take (part of gokv_memory_used_bytes).', () =>
      sources.tombstones().bytes,
    );
    pulledCounter(
      r,
      'gokv_tombstones_pruned_early_total',
      'Tombstones dropped before replication.tombstone_retention ended, to stay under memory.max_memory.',
      () => sources.storeCounters().tombstonesPrunedEarly,
    );
    pulledGauge(r, 'gokv_memory_max_bytes', 'memory.max_memory in bytes (0 = unlimited).', () => options.maxMemoryBytes);
    pulledCounter(r, 'gokv_evicted_keys_total', 'Keys evicted to stay under memory.max_memory.', () =>
      sources.storeCounters().evictedKeys,
    );
    pulledCounter(r, 'gokv_expired_keys_total', 'Keys deleted because their TTL passed (lazily or actively).', () =>
      sources.storeCounters().expiredKeys,
    );

    // Routing and replication.
    pulledLabelledCounter(
      r,
      'gokv_forwarded_commands_total',
      'Commands forwarded to the leader of their key, by outcome (ok, error, transport).',
      'outcome',
      () => this.forwards,
    );
    pulledLabelledCounter(
      r,
      'gokv_replication_ops_sent_total',
      'Ops sent to replicas by this node as a leader, by kind (write, or state for a resync); resends included.',
      'kind',
      () => this.replicationOps,
    );
    pulledLabelledGauge(r, 'gokv_replication_lag_ops', 'Replication ops queued or unacknowledged, per replica.', 'replica', () =>
      sources.replicationLag(),
    );

    // Membership and the ring.
    pulledCounter(r, 'gokv_gossip_rounds_total', 'Gossip rounds run by this node.', () => gossip()?.rounds);
    pulledCounter(r, 'gokv_gossip_suspicions_total', 'Members this node started to suspect.', () => gossip()?.suspicions);
    pulledCounter(r, 'gokv_gossip_deaths_total', 'Members this node declared dead.', () => gossip()?.deaths);
    pulledCounter(r, 'gokv_gossip_failed_sends_total', 'Heartbeat exchanges that failed in transport.', () => gossip()?.failedSends);
    pulledLabelledGauge(r, 'gokv_members', 'Members this node knows, itself included, by status.', 'status', () =>
      countStatuses(sources.memberStatuses()),
    );
    pulledGauge(r, 'gokv_ring_version', 'Version of the ring this node routes with.', () => sources.ringVersion());
    pulledGauge(r, 'gokv_writes_refused', '1 while this node refuses writes (no majority, a pause, a rejoin; gokv-cli status says why).', () => {
      const refused = sources.writesRefused?.();
      return refused === undefined ? undefined : Number(refused);
    });

    // Hand-off progress.
    const rebalance = (): RebalanceProgress | undefined => sources.rebalance?.();
    pulledCounter(r, 'gokv_rebalance_keys_sent_total', 'Key states handed off to new owners.', () => rebalance()?.keysSent);
    pulledCounter(r, 'gokv_rebalance_bytes_sent_total', 'Bytes of key state handed off.', () => rebalance()?.bytesSent);
    pulledCounter(r, 'gokv_rebalance_keys_dropped_total', 'Keys forgotten here once their new owners held them.', () => rebalance()?.keysDropped);
    pulledGauge(r, 'gokv_rebalance_ranges_pending', 'Ring ranges of the running hand-off still to send.', () => rebalance()?.arcsPending);
    pulledGauge(r, 'gokv_rebalance_keys_pending', 'Keys of the running hand-off still to send.', () => rebalance()?.keysPending);
    pulledGauge(r, 'gokv_rebalance_ranges_arriving', 'Ring ranges gained and not handed here yet.', () => rebalance()?.arcsArriving);
    pulledCounter(r, 'gokv_rebalance_pulls_total', 'Keys pulled from previous owners on a miss.', () => rebalance()?.pulls);

    // TLS: the files are read once, at start; alert on `gokv_tls_certificate_expiry_timestamp_seconds - time()`.
    pulledLabelledGauge(
      r,
      'gokv_tls_certificate_expiry_timestamp_seconds',
      'notAfter of each configured TLS certificate file (its earliest certificate), as a Unix timestamp, by which file.',
      'which',
      () => sources.tlsCertificateExpiry?.(),
    );

    // Snapshots: alert on failures, or on `time() - gokv_snapshot_last_success_timestamp_seconds`.
    pulledLabelledCounter(r, 'gokv_snapshots_total', 'Snapshots this node wrote (ok) or failed to write (error) since it started.', 'outcome', () => {
      const s = sources.snapshots?.();
      return s === undefined ? undefined : [['ok', s.saves], ['error', s.failures]];
    });
    pulledGauge(r, 'gokv_snapshot_last_success_timestamp_seconds', 'When the last snapshot was written, as a Unix timestamp (absent before the first).', () => {
      const at = sources.snapshots?.()?.lastSuccessAtMs;
      return at === undefined ? undefined : at / 1000;
    });

    // The process (shared by every node in it).
    pulledGauge(r, 'gokv_process_heap_used_bytes', 'V8 heap in use by the process.', () => process.memoryUsage().heapUsed);
    pulledGauge(r, 'gokv_process_resident_memory_bytes', 'Resident set size of the process.', () => process.memoryUsage.rss());
  }

  /** Records one client command: its name (bounded to the command table), outcome and latency. */
  commandDone(name: string, outcome: CommandOutcome, seconds: number): void {
    this.commands.done(name, outcome, seconds);
  }

  forwardDone(outcome: ForwardOutcome): void {
    this.forwards.set(outcome, (this.forwards.get(outcome) ?? 0) + 1);
  }

  replicationSent(writes: number, states: number): void {
    this.replicationOps.set('write', this.replicationOps.get('write')! + writes);
    this.replicationOps.set('state', this.replicationOps.get('state')! + states);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** Ops/s, p99 latency and event-loop delay over the last seconds (the dashboard's figures). */
  live(): LiveFigures {
    return this.liveStats.read();
  }

  start(): void {
    this.eventLoop.start();
    this.liveStats.start();
  }

  stop(): void {
    this.eventLoop.stop();
    this.liveStats.stop();
  }
}

const MEMBER_STATUSES = ['alive', 'suspect', 'dead', 'left'];

/** Every known status is exported, at 0 when no member has it, so dashboards see the drop. */
function countStatuses(statuses: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>(MEMBER_STATUSES.map((s) => [s, 0]));
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}
