import * as grpc from '@grpc/grpc-js';
import { getHeapStatistics } from 'node:v8';
import { SystemClock, systemRandom, type Clock, type Random } from '../clock/index.js';
import { clusterSettingsText, type Config } from '../config/index.js';
import { unavailable } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { Gossiper, type MemberChange } from '../membership/index.js';
import { ClientPool } from '../peer/index.js';
import { ReplicaApplier, Replicator, type ReplicationOp } from '../replication/index.js';
import { createHasher } from '../ring/index.js';
import { Router } from '../router/index.js';
import {
  addExternalService,
  runCommandReplies,
  addInternalService,
  ClientMemory,
  startGrpcServer,
  type BoundServer,
  type CommandService,
  type InternalService,
  type MemberView,
  type OpenStreams,
} from '../server/index.js';
import { serverOptions } from '../server/grpc-server.js';
import { keyDigest, maxKeyBytes, Store, startActiveExpiry, startTimeMarks } from '../store/index.js';
import { loadNodeCredentials } from '../tls/index.js';
import { unresolvedAdvertised } from './advertise-check.js';
import { ClusterState } from './cluster-state.js';
import { wireDashboard } from './dashboard-wiring.js';
import { grpcForwarder, grpcRebalanceSink, grpcReplicaTransport, heartbeatSender } from './grpc-adapters.js';
import { withFaults, type Adapters, type LinkFaults } from './fault-injection.js';
import { PeerSettingsCheck } from './settings-check.js';
import { staleSender } from './stale-sender.js';
import { createHandOff, type HandOff } from './hand-off-wiring.js';
import { maxMemoryOverHeapLimit } from './heap-limit.js';
import { countingForwarder, countingReplicaTransport, instrumentService } from './instrumented-service.js';
import { OpsSurface } from './ops-surface.js';
import { preparePersistence, withSnapshotCommand } from './persistence-wiring.js';
import { startResp } from './resp-endpoint.js';
import { startCertificateExpiryWatch, warnOfExpiringCertificates } from './tls-expiry.js';

export interface NodeDeps {
  readonly clock?: Clock;
  readonly random?: Random;
  readonly log?: Logger;
  /** Tests only (the fault suite): drop, delay or duplicate this node's outgoing internal messages. */
  readonly faults?: LinkFaults;
  /**
   * A stop asked for while the node starts (cmd/gokv: a signal during a long snapshot restore):
   * the restore ends, nothing binds, and startNode rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

export interface GokvNode {
  readonly id: string;
  /** Addresses actually bound (ports resolved when 0 was configured); null when disabled. */
  readonly addresses: { internal: string | null; grpc: string | null; rest: string | null; resp: string | null };
  readonly store: Store;
  /** Members as Healthcheck shows them, this node first. */
  members(): MemberView[];
  ringVersion(): number;
  /** Stops serving: leaves the cluster (gossips `left`) unless `leave: false`, closes everything. */
  stop(options?: { leave?: boolean }): Promise<void>;
}

/**
 * Ops per replication batch; a replica may be limits.max_in_flight_per_stream of them behind,
 * and REPLICA_BACKLOG_MESSAGES times limits.max_message_bytes, before writes it replicates are
 * refused. Four messages (256 MB at defaults, Redis's hard limit for a replica's output
 * buffer): two large writes in flight at once are not refused while acks come.
 */
const REPLICATION_BATCH = 512;
const REPLICA_BACKLOG_MESSAGES = 4;

/**
 * The composition root: builds store, membership, peers, router and servers from a Config,
 * starts them in dependency order and stops them in reverse.
 */
export async function startNode(config: Config, deps: NodeDeps = {}): Promise<GokvNode> {
  const clock = deps.clock ?? new SystemClock();
  const random = deps.random ?? systemRandom;
  const rootLog = deps.log ?? createLogger({ level: config.node.logLevel });
  // Every line names its node; a `host:0` id is known only once the internal port is bound.
  const configuredId = config.node.id.endsWith(':0') ? undefined : config.node.id;
  const log = configuredId === undefined ? rootLog : rootLog.child({ node: configuredId });
  // TLS files are read and checked once, before anything binds; a bad file stops the start here.
  const credentials = loadNodeCredentials(config);
  if (credentials.plaintextWarning !== null) log.warn({ tls: credentials.summary }, credentials.plaintextWarning);
  else log.info({ tls: credentials.summary }, 'tls on');
  warnOfExpiringCertificates(credentials.certificates, clock.now(), log.child({ component: 'tls' }));
  const hasher = await createHasher();
  const heapLimitBytes = getHeapStatistics().heap_size_limit;
  const heapWarning = maxMemoryOverHeapLimit(config.memory.maxMemoryBytes, heapLimitBytes);
  if (heapWarning !== undefined) log.warn({ maxMemoryBytes: config.memory.maxMemoryBytes, heapLimitBytes }, heapWarning);

  // The router is built after the store: a leader's evictions reach it through this closure.
  let onEvicted: ((key: string, version: number) => void) | undefined;
  const store = new Store(
    {
      clock,
      random,
      hashKey: hasher.keyPosition,
      onRemoved: (key, reason, version) => {
        if (reason === 'evicted') onEvicted?.(key, version);
      },
    },
    {
      maxMemoryBytes: config.memory.maxMemoryBytes,
      evictionPolicy: config.memory.evictionPolicy,
      evictionSamples: config.memory.evictionSamples,
      tombstoneRetentionMs: config.replication.tombstoneRetentionMs,
    },
  );
  // Restore (as restore_on_startup says) before anything binds, so the node never serves without it.
  const persistence = await preparePersistence(config, { store, clock, log, signal: deps.signal });
  if (deps.signal?.aborted) {
    await persistence.release();
    deps.signal.throwIfAborted();
  }
  const stopExpiry =
    config.maintenance.cleanupIntervalMs > 0
      ? startActiveExpiry(store, clock, config.maintenance.cleanupIntervalMs, config.maintenance.expiryBudgetMs)
      : () => undefined;
  const stopTimeMarks = startTimeMarks(store, clock); // OBJECT IDLETIME's clock

  const grpcOptions = serverOptions(config.limits);
  const limits = {
    maxArgs: config.limits.maxArgs,
    maxValueBytes: config.limits.maxValueBytes,
    // A reply the data does not bound (HRANDFIELD -n) must still fit one gRPC message.
    maxReplyBytes: config.limits.maxMessageBytes,
    // A key must fit one message to be replicated and moved.
    maxKeyBytes: maxKeyBytes(config.limits.maxMessageBytes),
  };

  // Internal server first: the node's id and gossiped address depend on the port it got.
  let internalServer: BoundServer | undefined;
  const internal = new grpc.Server(grpcOptions);
  let internalService: InternalService | undefined;
  const settings = clusterSettingsText(config);
  const settingsCheck = new PeerSettingsCheck(settings, clock, log.child({ component: 'gossip' }));
  const internalProxy: InternalService = {
    heartbeat: (from, entries, theirSettings) => {
      settingsCheck.observe(from, theirSettings);
      return internalService!.heartbeat(from, entries);
    },
    execute: (cmd, hops, replicaRead, origin) => internalService!.execute(cmd, hops, replicaRead, origin),
    applyReplication: (leader, ops) => internalService!.applyReplication(leader, ops),
    rebalance: (from, message) => internalService!.rebalance(from, message),
    fetchKeys: (from, keys, chain) => internalService!.fetchKeys(from, keys, chain),
    scanRange: (from, to, args, fromNodeId, chain) => internalService!.scanRange(from, to, args, fromNodeId, chain),
    fetchRange: (fromNodeId, forNodeId, from, to) => internalService!.fetchRange(fromNodeId, forNodeId, from, to),
    nodeStats: () => internalService!.nodeStats!(),
    keyDigests: (keys) => internalService!.keyDigests!(keys),
  };
  // A listener that cannot bind (its port taken) fails the start: close what is already bound and
  // running first, or the process would linger holding those ports and ignore SIGTERM.
  const started: (() => unknown)[] = [stopExpiry, stopTimeMarks, () => internalServer?.stop(), () => persistence.release()];
  const abandonStart = async (err: unknown): Promise<never> => {
    await Promise.all(started.map((close) => close()));
    throw err;
  };
  if (config.addresses.clusterBind !== null) {
    addInternalService(internal, internalProxy, log.child({ component: 'internal' }), limits.maxArgs, config.limits.maxMessageBytes);
    internalServer = await startGrpcServer(internal, config.addresses.clusterBind, credentials.internalServer).catch(abandonStart);
  }
  const internalAddr = resolveAdvertise(config.addresses.clusterAdvertise, internalServer?.address);
  const id = config.node.id.endsWith(':0') && internalAddr !== null ? internalAddr : config.node.id;
  const nodeLog = id === configuredId ? log : rootLog.child({ node: id });

  // RunCommand's replies not yet sent count against limits.max_client_memory (unary-replies.ts).
  const unary = runCommandReplies();
  const external = new grpc.Server({ ...grpcOptions, interceptors: [unary.interceptor] });
  // The external address must be known before gossip starts; bind now, serve the service below.
  let service: CommandService | undefined;
  const serviceProxy: CommandService = {
    execute: (cmd) => service!.execute(cmd),
    members: () => service!.members(),
    ringVersion: () => service!.ringVersion(),
  };
  // Metrics, readiness, gRPC health/reflection and REST; sources are read only once started.
  const ops: OpsSurface = new OpsSurface(config, {
    id,
    store,
    service: serviceProxy,
    gossip: () => gossiper?.stats,
    replicationLag: (): Map<string, number> => replicator.lag(),
    rebalance: () => handOffRef?.status(),
    tlsCertificates: credentials.certificates,
    hasAlivePeer: () => gossiper?.members().some((m) => m.id !== id && m.status === 'alive') ?? false,
    snapshots: () => persistence.status(),
    log: nodeLog,
  });
  let externalServer: BoundServer | undefined;
  let streams: OpenStreams | undefined;
  // limits.max_client_memory: one budget for RESP connections and StreamCommand streams.
  const clientMemory = new ClientMemory(config.limits.maxClientMemory, nodeLog.child({ component: 'clients' }));
  started.push(() => ops.stop(), () => externalServer?.stop());
  if (config.addresses.grpcBind !== null) {
    ops.addGrpcServices(external);
    streams = addExternalService(external, serviceProxy, nodeLog.child({ component: 'external' }), {
      maxArgs: limits.maxArgs,
      maxInFlightPerStream: config.limits.maxInFlightPerStream,
      maxMessageBytes: config.limits.maxMessageBytes,
      memory: clientMemory,
      unaryReplies: unary.replies,
      maxClientMemory: config.limits.maxClientMemory,
    });
  }
  const pool = new ClientPool(credentials.internalClient, {
    timeoutMs: config.messaging.messageTimeoutMs,
    maxMessageBytes: config.limits.maxMessageBytes,
    maxForwardBatch: 512,
    origin: () => ({ nodeId: id, incarnation: gossiper?.self.incarnation ?? 0 }),
    clusterSettings: settings,
  });

  let gossiper: Gossiper | undefined;
  let state: ClusterState | undefined;
  const addressOf = (memberId: string) => gossiper?.member(memberId)?.internalAddr;
  const grpcAdapters: Adapters = {
    sender: heartbeatSender(pool, id),
    forwarder: grpcForwarder(pool, addressOf),
    replicas: grpcReplicaTransport(pool, addressOf),
    sink: grpcRebalanceSink(pool, addressOf, id),
  };
  const adapters = deps.faults ? withFaults(deps.faults, grpcAdapters, addressOf) : grpcAdapters;
  const grpcAdvertisePending = config.addresses.grpcBind !== null;
  if (grpcAdvertisePending) {
    externalServer = await startGrpcServer(external, config.addresses.grpcBind!, credentials.externalServer).catch(abandonStart);
  }
  const grpcAddr = resolveAdvertise(config.addresses.grpcAdvertise, externalServer?.address) ?? '';
  await ops.bindRest(credentials.https).catch(abandonStart);
  const restAddr = resolveAdvertise(config.addresses.restAdvertise, ops.restAddress ?? undefined) ?? '';

  if (internalAddr !== null) {
    gossiper = new Gossiper(
      {
        self: { id, internalAddr, grpcAddr, restAddr },
        clock,
        random,
        sender: adapters.sender,
        log: nodeLog,
        onChange: (changes) => onMembersChanged(changes),
        // A rejoin's wait ends when peers answer, not only when a write asks (ClusterState.writeRefusal).
        onRound: () => state?.writeRefusal(),
      },
      {
        heartbeatIntervalMs: config.messaging.heartbeatIntervalMs,
        gossipPeerCount: config.messaging.gossipPeerCount,
        suspectAfterMs: config.messaging.suspectAfterMs,
        deadAfterMs: config.messaging.deadAfterMs,
        forgetDeadAfterMs: config.messaging.forgetDeadAfterMs,
        seeds: config.addresses.seeds,
        maxMembers: config.limits.maxMembers,
      },
    );
  }
  const needsJoin = gossiper !== undefined && config.addresses.seeds.some((s) => s.addr !== internalAddr && s.id !== id);
  state = new ClusterState(
    id,
    gossiper,
    hasher,
    config.cluster.vNodeCount,
    clock,
    config.messaging.suspectAfterMs,
    needsJoin,
    config.cluster.minorityWrites,
  );
  const replicator = new Replicator(
    {
      selfId: id,
      transport: countingReplicaTransport(adapters.replicas, ops.metrics),
      exportState: (key) => exportState(store, key),
      log: nodeLog.child({ component: 'replication' }),
    },
    {
      mode: config.replication.mode,
      timeoutMs: config.messaging.messageTimeoutMs,
      maxBatch: REPLICATION_BATCH,
      maxBatchBytes: config.limits.maxMessageBytes,
      maxBacklogOps: config.limits.maxInFlightPerStream * REPLICATION_BATCH,
      maxBacklogBytes: config.limits.maxMessageBytes * REPLICA_BACKLOG_MESSAGES,
    },
  );
  // Read by the ops surface (metrics), which is built before the hand-off side exists.
  let handOffRef: HandOff | undefined;
  const handOff = createHandOff(
    {
      selfId: id,
      store,
      clock,
      log: nodeLog,
      hasher,
      sink: adapters.sink,
      gossiper,
      ring: () => state!.view().ring,
    },
    config,
  );
  state.onRejoined = () => handOff.rejoined();
  handOffRef = handOff;
  const router = new Router(
    {
      store,
      hasher,
      view: () => state!.view(),
      forwarder: countingForwarder(adapters.forwarder, ops.metrics),
      replicator,
      log: nodeLog,
      gate: handOff.gate,
    },
    {
      replicas: config.cluster.replicas,
      hopLimit: config.cluster.hopLimit,
      limits,
      // A FLUSHALL part answers well inside the forward timeout it travels under.
      clusterWidePartMs: Math.min(250, config.messaging.messageTimeoutMs / 4),
    },
  );
  onEvicted = (key, version) => router.evicted(key, version);
  const applier = new ReplicaApplier({
    store,
    log: nodeLog.child({ component: 'replica' }),
    pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
  });
  // The dashboard's figures and ring, and EXPLAIN. The rebalancer's progress plugs in as `handOff`.
  const dashboard = wireDashboard({
    id,
    config,
    clock,
    store,
    metrics: ops.metrics,
    pool,
    hasher,
    gossiper: () => gossiper,
    view: () => state!.view(),
    execute: (cmd) => router.execute(cmd),
    handOff: () => {
      const s = handOff.status();
      if (!s.running) return undefined;
      const { keysPlanned, keysPending, bytesPlanned, bytesPending, startedAtMs } = s;
      return { running: true, keysPlanned, keysSent: keysPlanned - keysPending, bytesPlanned, bytesSent: bytesPlanned - bytesPending, startedAtMs };
    },
  });
  ops.setDashboard(dashboard.source);

  function onMembersChanged(changes: readonly MemberChange[]): void {
    if (!state) return;
    let inUse: Set<string> | undefined; // read once per batch: many may be forgotten together
    for (const c of changes) {
      if ((c.kind === 'statusChanged' && (c.to === 'dead' || c.to === 'left')) || c.kind === 'forgotten') {
        replicator.drop(c.id);
      }
      // A channel redials its address every second for as long as it is open: close a forgotten
      // member's, or the old one of a member that moved, unless a member (a restart under a new
      // id) now lives there. A replication stream on it breaks and reopens at the new address.
      const gone = c.kind === 'forgotten' ? c.internalAddr : c.kind === 'addressChanged' ? c.previousInternalAddr : undefined;
      if (gone === undefined) continue;
      inUse ??= new Set(gossiper!.members().map((m) => m.internalAddr));
      if (!inUse.has(gone)) pool.drop(gone);
    }
    const before = state.view().ring;
    if (state.onChange(changes)) {
      const after = state.view().ring;
      nodeLog.info({ members: after.members, ringVersion: after.version }, 'ring changed');
      handOff.onRingChange(before, after);
    }
    handOff.onMemberChanges(changes);
    ops.refresh();
  }

  const members = (): MemberView[] => {
    const self: MemberView = {
      id,
      grpcAddr,
      internalAddr: internalAddr ?? '',
      restAddr,
      status: 'alive',
      incarnation: gossiper?.self.incarnation ?? 0,
      keys: store.size,
      handOff: handOff.status(),
      // A node no seed has answered yet refuses every keyed command: status says so too.
      writesRefused: state!.writeRefusal() ?? (state!.joined() ? '' : 'this node is still joining the cluster (no member has answered it yet)'),
      replicationLag: replicator.lag(),
    };
    const others = (gossiper?.members() ?? [])
      .filter((m) => m.id !== id)
      .map((m): MemberView => ({
        id: m.id,
        grpcAddr: m.grpcAddr,
        internalAddr: m.internalAddr,
        restAddr: m.restAddr,
        status: m.status,
        incarnation: m.incarnation,
      }));
    return [self, ...others];
  };

  service = instrumentService(
    { execute: withSnapshotCommand(persistence, dashboard.withExplain((cmd) => router.execute(cmd))), members, ringVersion: () => state!.view().ring.version },
    ops.metrics,
  );
  internalService = {
    heartbeat: (_from, entries) => gossiper!.handleHeartbeat(entries),
    execute: (cmd, hops, replicaRead, origin) => {
      const stale = origin === undefined ? undefined : staleSender(gossiper, origin);
      if (stale !== undefined) throw unavailable(stale);
      return router.execute(cmd, hops, replicaRead);
    },
    applyReplication: (_leader, ops) => {
      const ack = applier.applyInTurns(ops);
      // A leader with another view of the ring may replicate a key this node no longer owns.
      // Keys listed lazily: nothing is walked where this node owns every key (ownsAll).
      if (ack instanceof Promise) {
        return ack.then((settled) => {
          handOff.merged(replicatedKeys(ops));
          return settled;
        });
      }
      handOff.merged(replicatedKeys(ops));
      return ack;
    },
    ...handOff.internal,
    nodeStats: () => dashboard.ownFigures(),
    keyDigests: (keys) => keys.map((key) => keyDigest(store, key)),
  };

  // The Redis protocol port serves through the same command path (the listener binds last, so a
  // bind failure leaves nothing else half-started but the servers closed in its catch).
  const resp = await startResp(config, { id, store, service, credentials, log: nodeLog, metrics: ops.metrics, memory: clientMemory, snapshots: () => persistence.status() }).catch(async (err: unknown) => {
    await Promise.all([ops.stop(), externalServer?.stop(), internalServer?.stop(), persistence.release()]);
    replicator.close();
    pool.close();
    stopExpiry();
    stopTimeMarks();
    throw err;
  });

  gossiper?.start();
  ops.start();
  persistence.start();
  const stopCertificateWatch = startCertificateExpiryWatch(credentials.certificates, clock, nodeLog.child({ component: 'tls' }));
  nodeLog.info(
    { internal: internalAddr, grpc: externalServer?.address ?? null, rest: ops.restAddress, resp: resp?.address ?? null, seeds: config.addresses.seeds.length },
    'gokv node listening', // ready (/healthz) once joined: at once without seeds
  );
  void unresolvedAdvertised(config.addresses).then((warnings) => {
    for (const warning of warnings) nodeLog.warn(warning);
  });

  let stopped: Promise<void> | undefined;
  return {
    id,
    addresses: { internal: internalAddr, grpc: externalServer?.address ?? null, rest: ops.restAddress, resp: resp?.address ?? null },
    store,
    members,
    ringVersion: () => state!.view().ring.version,
    stop(options = {}) {
      stopped ??= (async () => {
        // Open streams first: they answer what they run and end, rather than wait out the grace.
        streams?.stopAll();
        await Promise.all([ops.stop(), externalServer?.stop(), resp?.stop()]);
        // Clients are gone; snapshot before leaving (a hand-off may then drop keys from the store).
        const finalSnapshot = await persistence.stop();
        if (gossiper) {
          if (options.leave ?? true) {
            await gossiper.leave();
            // Hand every key to its owners in the ring without us, bounded by leave_timeout.
            await handOff.leave();
          } else await gossiper.stop();
        }
        handOff.stop();
        // Peers' forwards are still served during the internal server's grace: its writes
        // replicate over the open links until it is down; after that nothing opens new ones.
        await internalServer?.stop();
        stopExpiry();
        stopTimeMarks();
        stopCertificateWatch();
        replicator.close();
        pool.close();
        nodeLog.info('gokv node stopped');
        // Everything else is stopped first; then the process may exit non-zero (cmd/gokv).
        if (finalSnapshot !== undefined) throw finalSnapshot;
      })();
      return stopped;
    },
  };
}

/** The advertised address: as configured, unless it asks for port 0 (then the bound one). */
function resolveAdvertise(configured: string | null, bound: string | undefined): string | null {
  if (bound === undefined) return configured;
  if (configured === null || configured.endsWith(':0')) return bound;
  return configured;
}

function exportState(store: Store, key: string) {
  const s = store.exportKey(key);
  if (!s || s.deleted) return { key, type: '', value: [], expireAtMs: 0, version: s?.version ?? 0, deleted: true };
  return { key, type: s.type, value: s.value, expireAtMs: s.expireAtMs, version: s.version, deleted: false };
}

/** The keys a batch of replicated ops wrote, in order (an eviction names none). */
function* replicatedKeys(ops: readonly ReplicationOp[]): Generator<string> {
  for (const op of ops) {
    const key = op.write?.key ?? op.state?.key;
    if (key !== undefined) yield key;
  }
}
