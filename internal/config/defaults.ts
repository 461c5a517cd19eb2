/**
 * Every default, named. Each doc comment gives the config.yml key or the environment variable
 * that overrides it; the shipped /work/main/config.yml states the same values (a test keeps them
 * equal). Load order: these < config.yml < `.env` < environment.
 */
import { deepFreeze } from './deep.js';
import type { ClientAuth, Config, EvictionPolicy, LogLevel, MinorityWrites, ReplicationMode, RestorePolicy, Seed } from './types.js';

// cluster:
/** config.yml `cluster.v_node_count` (no env var): virtual nodes per member on the ring; >= 1. */
export const DEFAULT_V_NODE_COUNT = 256;
/** config.yml `cluster.replicas` (no env var): copies beside the leader; 0 = no replication. */
export const DEFAULT_REPLICAS = 2;
/** config.yml `cluster.hop_limit` (no env var): forwards a command may take; >= 1. */
export const DEFAULT_HOP_LIMIT = 2;
/**
 * config.yml `cluster.minority_writes` (no env var): `refuse` (a node whose ring holds no strict
 * majority of the members it knows, i.e. the minority side of a partition, refuses writes with
 * UNAVAILABLE) or `accept` (both sides write; on healing, the higher version of a key wins).
 */
export const DEFAULT_MINORITY_WRITES: MinorityWrites = 'refuse';

// messaging:
/** config.yml `messaging.gossip_peer_count` (no env var): peers per gossip round; >= 1. */
export const DEFAULT_GOSSIP_PEER_COUNT = 2;
/** config.yml `messaging.heartbeat_interval` (no env var): gossip period; > 0. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
/** config.yml `messaging.suspect_after` (no env var): no heartbeat progress for this long -> suspect. */
export const DEFAULT_SUSPECT_AFTER_MS = 3_000;
/** config.yml `messaging.dead_after` (no env var): no progress for this long -> dead; > suspect_after. */
export const DEFAULT_DEAD_AFTER_MS = 6_000;
/** config.yml `messaging.message_timeout` (no env var): deadline of one internal call or ack; > 0. */
export const DEFAULT_MESSAGE_TIMEOUT_MS = 2_000;
/** config.yml `messaging.forget_dead_after` (no env var): dead entries dropped after this; > 0. */
export const DEFAULT_FORGET_DEAD_AFTER_MS = 60_000;

// replication:
/** config.yml `replication.mode` (no env var): `sync` waits for replica acks, `async` does not. */
export const DEFAULT_REPLICATION_MODE: ReplicationMode = 'sync';
/** config.yml `replication.tombstone_retention` (no env var): how long deletes are remembered; > 0. */
export const DEFAULT_TOMBSTONE_RETENTION_MS = 5 * 60_000;

// rebalance:
/** config.yml `rebalance.rebalance_debounce` (no env var): quiet time before a rebalance; 0 = at once. */
export const DEFAULT_REBALANCE_DEBOUNCE_MS = 1_000;
/** config.yml `rebalance.batch_bytes` (no env var): bytes per hand-off batch; 1 .. max_message_bytes. */
export const DEFAULT_BATCH_BYTES = 1024 ** 2;
/**
 * config.yml `rebalance.pull_window` (no env var): how long a node that gained an arc pulls its
 * keys on a miss when the previous owner never reports it handed off; > 0.
 */
export const DEFAULT_PULL_WINDOW_MS = 5 * 60_000;
/** config.yml `rebalance.leave_timeout` (no env var): how long a graceful leave hands off before exiting; 0 = no hand-off. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 30_000;

// maintenance:
/** config.yml `maintenance.cleanup_interval` (no env var): active expiry period; 0 = lazy expiry only. */
export const DEFAULT_CLEANUP_INTERVAL_MS = 10_000;
/** config.yml `maintenance.expiry_budget` (no env var): time one active expiry cycle may take; > 0. */
export const DEFAULT_EXPIRY_BUDGET_MS = 25;

// memory:
/** config.yml `memory.max_memory` (no env var): memory limit in bytes; 0 = unlimited. */
export const DEFAULT_MAX_MEMORY_BYTES = 0;
/** config.yml `memory.eviction_policy` (no env var): what to do over max_memory. */
export const DEFAULT_EVICTION_POLICY: EvictionPolicy = 'allkeys-lru';
/** config.yml `memory.eviction_samples` (no env var): keys sampled per eviction; >= 1. */
export const DEFAULT_EVICTION_SAMPLES = 5;

// limits:
/** config.yml `limits.max_args` (no env var): arguments per command; >= 1. */
export const DEFAULT_MAX_ARGS = 1_048_576;
/** config.yml `limits.max_value_bytes` (no env var): largest value or field; <= max_message_bytes. */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 ** 2;
/** config.yml `limits.max_message_bytes` (no env var): largest gRPC message either way; >= 1. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 ** 2;
/** config.yml `limits.max_in_flight_per_stream` (no env var): commands executing per stream; >= 1. */
export const DEFAULT_MAX_IN_FLIGHT_PER_STREAM = 256;
/**
 * config.yml `limits.max_calls_per_connection` (no env var): gRPC calls (HTTP/2 streams) open at
 * once on one connection, sent as SETTINGS_MAX_CONCURRENT_STREAMS; gRPC clients queue the rest;
 * >= 1.
 */
export const DEFAULT_MAX_CALLS_PER_CONNECTION = 1024;
/** config.yml `limits.max_clients` (no env var): RESP connections open at once (Redis's maxclients); >= 1. */
export const DEFAULT_MAX_CLIENTS = 10_000;
/**
 * config.yml `limits.max_client_memory` (no env var): bytes held for all RESP clients together
 * (requests not yet run, replies not yet sent); past it the client holding the most is closed;
 * 0 = no bound.
 */
export const DEFAULT_MAX_CLIENT_MEMORY = 512 * 1024 ** 2;
/**
 * config.yml `limits.max_members` (no env var): members one node's table holds (itself, dead and
 * left ones included) and entries it reads from one Heartbeat; past it unknown members are not
 * added. Each member costs v_node_count ring points, so it bounds a ring change's cost; >= 1.
 */
export const DEFAULT_MAX_MEMBERS = 1024;

// persistence:
/** config.yml `persistence.persistence_interval` (no env var): snapshot period; 0 = off. */
export const DEFAULT_PERSISTENCE_INTERVAL_MS = 0;
/** config.yml `persistence.restore_on_startup` (no env var): `always`, `never`, `auto` (when replicas is 0 or no seeds are configured; see persistence/restore-policy.ts). */
export const DEFAULT_RESTORE_ON_STARTUP: RestorePolicy = 'auto';

// node (environment only):
/** env `GOKV_LOG_LEVEL`: trace, debug, info, warn, error (also fatal, silent). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** env `GOKV_CONFIG_PATH`: relative to the working directory; missing here is fine. */
export const DEFAULT_CONFIG_PATH = 'config.yml';
/** env `GOKV_PERSISTENCE_PATH`: the snapshot file, by default under `data/` named for the node id. */
export const defaultPersistencePath = (nodeId: string): string => `data/${nodeId}.snapshot`;

// addresses (environment only; an empty value disables that listener):
/** env `GOKV_CLUSTER_BIND_ADDR`: internal gRPC listener. `GOKV_CLUSTER_ADVERTISE_ADDR` defaults to it. */
export const DEFAULT_CLUSTER_BIND_ADDR = '127.0.0.1:7946';
/** env `GOKV_CLUSTER_SEEDS`: none; a lone node forms its own cluster. */
export const DEFAULT_SEEDS: readonly Seed[] = [];
/** env `GOKV_EXTERNAL_GRPC_BIND_ADDR`: client gRPC. `GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR` defaults to it. */
export const DEFAULT_GRPC_BIND_ADDR = '127.0.0.1:50051';
/** env `GOKV_EXTERNAL_REST_BIND_ADDR`: REST. `GOKV_EXTERNAL_REST_ADVERTISE_ADDR` defaults to it. */
export const DEFAULT_REST_BIND_ADDR = '127.0.0.1:8080';
/** env `GOKV_EXTERNAL_RESP_BIND_ADDR`: Redis protocol (RESP) listener. */
export const DEFAULT_RESP_BIND_ADDR = '127.0.0.1:6379';

// tls (environment only): every `GOKV_*_TLS_*_PATH` defaults to unset (plaintext).
/** env `GOKV_EXTERNAL_TLS_CLIENT_AUTH`: `require` when `GOKV_EXTERNAL_TLS_CA_PATH` is set, else this. */
export const DEFAULT_EXTERNAL_CLIENT_AUTH: ClientAuth = 'none';
/** env `GOKV_EXTERNAL_TLS_CLIENT_AUTH` default when an external CA is given. */
export const DEFAULT_EXTERNAL_CLIENT_AUTH_WITH_CA: ClientAuth = 'require';

/**
 * The configuration with no file and no environment. Paths are relative here (`loadConfig`
 * resolves them against its `cwd`); the node id is the default cluster advertise address.
 */
export const DEFAULT_CONFIG: Config = deepFreeze<Config>({
  node: {
    id: DEFAULT_CLUSTER_BIND_ADDR,
    logLevel: DEFAULT_LOG_LEVEL,
    configPath: DEFAULT_CONFIG_PATH,
    persistencePath: defaultPersistencePath(DEFAULT_CLUSTER_BIND_ADDR),
  },
  cluster: { vNodeCount: DEFAULT_V_NODE_COUNT, replicas: DEFAULT_REPLICAS, hopLimit: DEFAULT_HOP_LIMIT, minorityWrites: DEFAULT_MINORITY_WRITES },
  messaging: {
    gossipPeerCount: DEFAULT_GOSSIP_PEER_COUNT,
    heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
    suspectAfterMs: DEFAULT_SUSPECT_AFTER_MS,
    deadAfterMs: DEFAULT_DEAD_AFTER_MS,
    messageTimeoutMs: DEFAULT_MESSAGE_TIMEOUT_MS,
    forgetDeadAfterMs: DEFAULT_FORGET_DEAD_AFTER_MS,
  },
  replication: { mode: DEFAULT_REPLICATION_MODE, tombstoneRetentionMs: DEFAULT_TOMBSTONE_RETENTION_MS },
  rebalance: {
    rebalanceDebounceMs: DEFAULT_REBALANCE_DEBOUNCE_MS,
    batchBytes: DEFAULT_BATCH_BYTES,
    pullWindowMs: DEFAULT_PULL_WINDOW_MS,
    leaveTimeoutMs: DEFAULT_LEAVE_TIMEOUT_MS,
  },
  maintenance: { cleanupIntervalMs: DEFAULT_CLEANUP_INTERVAL_MS, expiryBudgetMs: DEFAULT_EXPIRY_BUDGET_MS },
  memory: {
    maxMemoryBytes: DEFAULT_MAX_MEMORY_BYTES,
    evictionPolicy: DEFAULT_EVICTION_POLICY,
    evictionSamples: DEFAULT_EVICTION_SAMPLES,
  },
  limits: {
    maxArgs: DEFAULT_MAX_ARGS,
    maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    maxInFlightPerStream: DEFAULT_MAX_IN_FLIGHT_PER_STREAM,
    maxCallsPerConnection: DEFAULT_MAX_CALLS_PER_CONNECTION,
    maxClients: DEFAULT_MAX_CLIENTS,
    maxClientMemory: DEFAULT_MAX_CLIENT_MEMORY,
    maxMembers: DEFAULT_MAX_MEMBERS,
  },
  persistence: {
    persistenceIntervalMs: DEFAULT_PERSISTENCE_INTERVAL_MS,
    restoreOnStartup: DEFAULT_RESTORE_ON_STARTUP,
  },
  addresses: {
    clusterBind: DEFAULT_CLUSTER_BIND_ADDR,
    clusterAdvertise: DEFAULT_CLUSTER_BIND_ADDR,
    seeds: DEFAULT_SEEDS,
    grpcBind: DEFAULT_GRPC_BIND_ADDR,
    grpcAdvertise: DEFAULT_GRPC_BIND_ADDR,
    restBind: DEFAULT_REST_BIND_ADDR,
    restAdvertise: DEFAULT_REST_BIND_ADDR,
    respBind: DEFAULT_RESP_BIND_ADDR,
  },
  tls: {
    internal: { caPath: null, serverCertPath: null, serverKeyPath: null, clientCertPath: null, clientKeyPath: null },
    external: { caPath: null, serverCertPath: null, serverKeyPath: null, clientAuth: DEFAULT_EXTERNAL_CLIENT_AUTH },
  },
});
