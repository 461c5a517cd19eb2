import type { Reply } from '../command/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { Gossiper } from '../membership/index.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { ClientPool } from '../peer/index.js';
import type { DashboardSource } from '../rest/index.js';
import type { Hasher } from '../ring/index.js';
import { Explainer, isExplain, type ClusterView, type RoutedCommand } from '../router/index.js';
import { figuresFromProto, type HandOffFigures, type NodeFigures } from '../server/index.js';
import type { Store } from '../store/index.js';
import type { HandOffProvider } from './hand-off-provider.js';
import { MemberFigures } from './member-figures.js';
import { RingViews } from './ring-view.js';

/** The page polls about once a second: one NodeStats call per member per second at most. */
const FIGURES_TTL_MS = 1_000;
/** A member slower than this is shown without figures rather than hold the page up. */
const FIGURES_TIMEOUT_MS = 500;

export interface DashboardParts {
  readonly id: string;
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly metrics: NodeMetrics;
  readonly pool: ClientPool;
  readonly hasher: Hasher;
  readonly gossiper: () => Gossiper | undefined;
  readonly view: () => ClusterView;
  /** The router's command path: EXPLAIN asks TYPE and PTTL through it. */
  readonly execute: (command: RoutedCommand) => Reply | Promise<Reply>;
  readonly handOff: HandOffProvider;
}

export interface Dashboard {
  /** For the REST app (figures in /v1/cluster, /v1/ring). */
  readonly source: DashboardSource;
  /** This node's own figures (what it answers to NodeStats). */
  ownFigures(): NodeFigures;
  /** The command path with EXPLAIN in front of it (gRPC, REST and the CLI reach it this way). */
  withExplain(execute: (command: RoutedCommand) => Reply | Promise<Reply>): (command: RoutedCommand) => Reply | Promise<Reply>;
}

/**
 * Builds what the dashboard and EXPLAIN need from the node's parts, so create-node.ts only
 * plugs the results in: this node's figures, the other members' (NodeStats over the peer pool,
 * briefly cached), the ring view, and the EXPLAIN command.
 */
export function wireDashboard(parts: DashboardParts): Dashboard {
  const { id, clock, store, metrics } = parts;
  const startedAtMs = clock.monotonic();
  const ownFigures = (): NodeFigures => ({
    id,
    keys: store.size,
    memoryUsedBytes: store.usedMemory,
    tombstoneBytes: store.tombstoneBytes,
    maxMemoryBytes: parts.config.memory.maxMemoryBytes,
    ...metrics.live(),
    uptimeMs: clock.monotonic() - startedAtMs,
    handOff: handOffFigures(parts.handOff, clock),
  });
  const members = new MemberFigures(
    {
      selfId: id,
      own: ownFigures,
      peers: () =>
        (parts.gossiper()?.members() ?? []).filter((m) => m.id !== id && (m.status === 'alive' || m.status === 'suspect')),
      fetch: (addr, timeoutMs) => parts.pool.get(addr).nodeStats(timeoutMs).then(figuresFromProto),
      clock,
    },
    { ttlMs: FIGURES_TTL_MS, timeoutMs: Math.min(FIGURES_TIMEOUT_MS, parts.config.messaging.messageTimeoutMs) },
  );
  const rings = new RingViews(parts.config.cluster.replicas);
  const explainer = new Explainer(
    { hasher: parts.hasher, view: parts.view, store, execute: parts.execute },
    { replicas: parts.config.cluster.replicas },
  );
  return {
    source: { figures: () => members.figures(), ring: () => rings.of(parts.view().ring) },
    ownFigures,
    withExplain: (execute) => (command) => (isExplain(command.name) ? explainer.explain(command) : execute(command)),
  };
}

/** The provider's progress as NodeStats carries it; a provider that throws reports nothing. */
export function handOffFigures(provider: HandOffProvider, clock: Clock): HandOffFigures | null {
  let progress;
  try {
    progress = provider();
  } catch {
    return null;
  }
  if (progress === undefined || !progress.running) return null;
  const { keysPlanned, keysSent, bytesPlanned, bytesSent } = progress;
  return { keysPlanned, keysSent, bytesPlanned, bytesSent, elapsedMs: Math.max(0, clock.now() - progress.startedAtMs) };
}
