import type * as grpc from '@grpc/grpc-js';
import { isLoopbackHost, parseAddress, type Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { GossipStats } from '../membership/index.js';
import { NodeMetrics, type RebalanceProgress, type SnapshotCounters } from '../metrics/index.js';
import { createApp, type DashboardSource } from '../rest/index.js';
import { COMMAND_NAMES } from '../resp/index.js';
import type { CommandService } from '../server/index.js';
import type { Store } from '../store/index.js';
import type { CertificateExpiry, HttpsServerOptions } from '../tls/index.js';
import { addHealthAndReflection, type GrpcHealth } from './grpc-ecosystem.js';
import { Readiness } from './readiness.js';
import { startRestListener, type RestListener } from './rest-listener.js';

/** What the operations surface reads from the node; closures, so parts built later are fine. */
export interface OpsSurfaceParts {
  readonly id: string;
  readonly store: Store;
  /** The node's command path (the same object the external gRPC server calls). */
  readonly service: CommandService;
  readonly gossip: () => GossipStats | undefined;
  readonly replicationLag: () => ReadonlyMap<string, number>;
  /** Hand-off progress; undefined until the rebalancer exists. */
  readonly rebalance: () => RebalanceProgress | undefined;
  /** The configured TLS certificate files' dates (read once, at start; empty when TLS is off). */
  readonly tlsCertificates: readonly CertificateExpiry[];
  /** True when the member table holds another alive member (the node has joined). */
  readonly hasAlivePeer: () => boolean;
  /** The snapshotter's figures (persistence-wiring.ts). */
  readonly snapshots: () => SnapshotCounters;
  readonly log: Logger;
}

/**
 * The node's operations surface: metrics (one registry per node), readiness with the gRPC
 * health service following it, server reflection, and the REST listener serving the express app.
 * Lifecycle: construct -> addGrpcServices (before the external server binds) -> bindRest (before
 * gossip starts: the REST address is gossiped) -> start -> refresh on member changes -> stop.
 */
export class OpsSurface {
  readonly metrics: NodeMetrics;
  private readonly readiness: Readiness;
  private health: GrpcHealth | undefined;
  private rest: RestListener | undefined;
  private dashboard: DashboardSource | undefined;

  constructor(
    private readonly config: Config,
    private readonly parts: OpsSurfaceParts,
  ) {
    const { store, service } = parts;
    this.metrics = new NodeMetrics(
      {
        keys: () => store.size,
        usedMemoryBytes: () => store.usedMemory,
        tombstones: () => store.tombstoneUse,
        storeCounters: () => store.counters,
        gossip: parts.gossip,
        replicationLag: parts.replicationLag,
        rebalance: parts.rebalance,
        memberStatuses: () => service.members().map((m) => m.status),
        ringVersion: () => service.ringVersion(),
        writesRefused: () => (service.members()[0]?.writesRefused ?? '') !== '',
        tlsCertificateExpiry: () => parts.tlsCertificates.map((c) => [c.which, c.notAfterMs / 1000] as const),
        snapshots: parts.snapshots,
      },
      // Every name a client may send: the command table's, those answered beside it (DBSIZE,
      // KEYS, FLUSHALL, FLUSHDB, EXPLAIN, SNAPSHOT) and RESP's own (HELLO, INFO, ...).
      { commandNames: COMMAND_NAMES, maxMemoryBytes: config.memory.maxMemoryBytes },
    );
    this.readiness = new Readiness(
      { hasAlivePeer: parts.hasAlivePeer, onChange: (ready) => this.health?.setServing(ready) },
      { needsJoin: config.addresses.clusterBind !== null && config.addresses.seeds.length > 0 },
    );
  }

  /** The bound REST address, or null when REST is disabled (or not bound yet). */
  get restAddress(): string | null {
    return this.rest?.address ?? null;
  }

  /** grpc.health.v1 and server reflection on the external server. */
  addGrpcServices(server: grpc.Server): void {
    this.health = addHealthAndReflection(server);
  }

  /** Binds REST on addresses.rest_bind (https when `tls` is given); a no-op when disabled. */
  async bindRest(tls: HttpsServerOptions | null): Promise<void> {
    const bind = this.config.addresses.restBind;
    if (bind !== null) this.rest = await startRestListener(bind, tls);
  }

  /** The dashboard's figures and ring (served from start() on). */
  setDashboard(source: DashboardSource): void {
    this.dashboard = source;
  }

  /** The node is built and gossiping: serve REST, sample the event loop, report readiness. */
  start(): void {
    const { id, store, service, log } = this.parts;
    this.rest?.attach(
      createApp(
        {
          service,
          ready: () => this.readiness.refresh(),
          node: () => ({
            id,
            keys: store.size,
            memoryUsedBytes: store.usedMemory,
            maxMemoryBytes: this.config.memory.maxMemoryBytes,
          }),
          metrics: this.metrics,
          log: log.child({ component: 'rest' }),
          ...(this.dashboard ? { dashboard: this.dashboard } : {}),
        },
        {
          maxBodyBytes: this.config.limits.maxMessageBytes,
          maxArgs: this.config.limits.maxArgs,
          ...loopbackHostNames(this.config.addresses),
        },
      ),
    );
    this.metrics.start();
    this.readiness.markStarted();
  }

  /** Re-evaluates readiness (after member changes). */
  refresh(): void {
    this.readiness.refresh();
  }

  /** Not ready from now on (health NOT_SERVING, /healthz 503); closes REST; stops sampling. */
  async stop(): Promise<void> {
    this.readiness.markStopping();
    await this.rest?.stop();
    this.metrics.stop();
  }
}

/**
 * REST bound to loopback answers only Hosts naming this machine (rest/host-guard.ts: DNS
 * rebinding), and the advertised REST host, the name an operator gave it. So does REST bound to
 * every interface but advertised on a loopback host: a container whose port is published on the
 * host's localhost (docker-compose.yml; found by a review, a browser could rebind a name to it).
 * Otherwise the operator exposed it under names gokv cannot know (a Kubernetes Service): any Host.
 */
export function loopbackHostNames(addresses: Config['addresses']): { loopbackHostNames?: string[] } {
  if (addresses.restBind === null) return {};
  const advertise = addresses.restAdvertise === null ? undefined : parseAddress(addresses.restAdvertise).host;
  const local = isLoopbackHost(parseAddress(addresses.restBind).host) || (advertise !== undefined && isLoopbackHost(advertise));
  if (!local) return {};
  return { loopbackHostNames: advertise === undefined ? [] : [advertise] };
}
