// metrics/ owns gokv's Prometheus metrics: one prom-client Registry per node (never the global
// default registry), a typed recording API for hot paths, values read from other modules at
// scrape time through injected MetricsSources, and the event-loop delay monitor.
// Layer L1: it imports prom-client, node:perf_hooks and gokv types (errors/) only; never store/,
// membership/, replication/, server/ or node/ (node/ wires the sources in).
export { NodeMetrics, type ForwardOutcome } from './node-metrics.js';
export { UNKNOWN_COMMAND, type CommandOutcome, type CommandTotals } from './command-metrics.js';
export { LiveWindow, bucketQuantile, type LiveFigures } from './live-window.js';
export {
  DEFAULT_LATENCY_BUCKETS_SECONDS,
  type GossipCounters,
  type MetricsOptions,
  type MetricsSources,
  type RebalanceProgress,
  type SnapshotCounters,
} from './sources.js';
export type { HandOffFigures, NodeFigures } from './node-figures.js';
