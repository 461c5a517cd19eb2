/**
 * The shape of a loaded configuration. Every number is already parsed and carries its unit in its
 * name (`heartbeatIntervalMs`, `batchBytes`); every value may be zero where DESIGN.md section 9 says
 * zero means something (`replicas: 0`, `maxMemoryBytes: 0` = unlimited, `persistenceIntervalMs: 0`
 * = off, `cleanupIntervalMs: 0` = lazy expiry only, `rebalanceDebounceMs: 0` = at once).
 * A Config is deeply frozen once loaded; build variants with `testConfig(overrides)`.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REPLICATION_MODES = ['sync', 'async'] as const;
export type ReplicationMode = (typeof REPLICATION_MODES)[number];

export const EVICTION_POLICIES = ['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-random'] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export const MINORITY_WRITES = ['refuse', 'accept'] as const;
export type MinorityWrites = (typeof MINORITY_WRITES)[number];

export const RESTORE_POLICIES = ['always', 'never', 'auto'] as const;
export type RestorePolicy = (typeof RESTORE_POLICIES)[number];

export const CLIENT_AUTH_MODES = ['none', 'request', 'require'] as const;
export type ClientAuth = (typeof CLIENT_AUTH_MODES)[number];

/** A seed from `GOKV_CLUSTER_SEEDS`: `host:port` or `id=host:port`. */
export interface Seed {
  readonly id?: string;
  /** Canonical `host:port` (`[v6]:port` for IPv6). */
  readonly addr: string;
}

export interface NodeConfig {
  /** Unique member id; defaults to the cluster advertise address. */
  readonly id: string;
  readonly logLevel: LogLevel;
  /** Absolute path of the config.yml that was (or would have been) read; '' from testConfig. */
  readonly configPath: string;
  /** Absolute path of this node's snapshot file. */
  readonly persistencePath: string;
}

export interface ClusterConfig {
  readonly vNodeCount: number;
  /** Extra copies beside the leader; 0 = no replication. */
  readonly replicas: number;
  /** How many times a command may be forwarded before it fails. */
  readonly hopLimit: number;
  /** A node that sees no strict majority of the members it knows: refuse writes, or accept them. */
  readonly minorityWrites: MinorityWrites;
}

export interface MessagingConfig {
  readonly gossipPeerCount: number;
  readonly heartbeatIntervalMs: number;
  readonly suspectAfterMs: number;
  readonly deadAfterMs: number;
  readonly messageTimeoutMs: number;
  /** A dead member's entry is dropped from the member table this long after it was declared dead. */
  readonly forgetDeadAfterMs: number;
}

export interface ReplicationConfig {
  readonly mode: ReplicationMode;
  /** How long a delete's tombstone is kept (must outlast a hand-off). */
  readonly tombstoneRetentionMs: number;
}

export interface RebalanceConfig {
  /** Quiet time after a ring change before a rebalance starts; 0 = at once. */
  readonly rebalanceDebounceMs: number;
  readonly batchBytes: number;
  /** How long a gained arc is pulled on a miss when its previous owner never reports it handed off. */
  readonly pullWindowMs: number;
  /** How long a graceful leave hands keys off before the node exits anyway; 0 = no hand-off. */
  readonly leaveTimeoutMs: number;
}

export interface MaintenanceConfig {
  /** Period of the active expiry cycle; 0 = lazy expiry only. */
  readonly cleanupIntervalMs: number;
  /** Time budget of one active expiry cycle. */
  readonly expiryBudgetMs: number;
}

export interface MemoryConfig {
  /** 0 = unlimited. */
  readonly maxMemoryBytes: number;
  readonly evictionPolicy: EvictionPolicy;
  /** Keys sampled per eviction (approximate LRU). */
  readonly evictionSamples: number;
}

export interface LimitsConfig {
  readonly maxArgs: number;
  readonly maxValueBytes: number;
  /** Largest gRPC message, both directions. */
  readonly maxMessageBytes: number;
  /** Commands a StreamCommand may have executing at once before it stops reading. */
  readonly maxInFlightPerStream: number;
  /** gRPC calls open at once on one connection (external and internal servers); clients queue the rest. */
  readonly maxCallsPerConnection: number;
  /** RESP connections open at once; one more is answered `-ERR max number of clients reached`. */
  readonly maxClients: number;
  /**
   * Bytes held for RESP clients (requests received and not yet run, replies ready and not yet
   * written), summed over all of them; past it the client holding the most is closed (Redis's
   * maxmemory-clients). 0 = no bound.
   */
  readonly maxClientMemory: number;
  /** Members in the member table, this node included; unknown members past it are not added. */
  readonly maxMembers: number;
}

export interface PersistenceConfig {
  /** Snapshot period; 0 = no periodic snapshots. */
  readonly persistenceIntervalMs: number;
  readonly restoreOnStartup: RestorePolicy;
}

/** Canonical `host:port` strings; a `null` bind address means that listener is disabled. */
export interface AddressesConfig {
  readonly clusterBind: string | null;
  /** Gossiped to peers; `null` only when the cluster listener is disabled. */
  readonly clusterAdvertise: string | null;
  /** Seeds to join through, without this node's own advertise address. */
  readonly seeds: readonly Seed[];
  readonly grpcBind: string | null;
  /** Shown to clients (Healthcheck `node_addr`); `null` when external gRPC is disabled. */
  readonly grpcAdvertise: string | null;
  readonly restBind: string | null;
  readonly restAdvertise: string | null;
  readonly respBind: string | null;
}

/** Internal (node-to-node) mutual TLS: all five paths, or none (`null`) for plaintext. */
export interface InternalTlsConfig {
  readonly caPath: string | null;
  readonly serverCertPath: string | null;
  readonly serverKeyPath: string | null;
  readonly clientCertPath: string | null;
  readonly clientKeyPath: string | null;
}

/** External (gRPC, REST, RESP) TLS: on when `serverCertPath` is set. */
export interface ExternalTlsConfig {
  /** CA that verifies client certificates. */
  readonly caPath: string | null;
  readonly serverCertPath: string | null;
  readonly serverKeyPath: string | null;
  readonly clientAuth: ClientAuth;
}

export interface TlsConfig {
  readonly internal: InternalTlsConfig;
  readonly external: ExternalTlsConfig;
}

export interface Config {
  readonly node: NodeConfig;
  readonly cluster: ClusterConfig;
  readonly messaging: MessagingConfig;
  readonly replication: ReplicationConfig;
  readonly rebalance: RebalanceConfig;
  readonly maintenance: MaintenanceConfig;
  readonly memory: MemoryConfig;
  readonly limits: LimitsConfig;
  readonly persistence: PersistenceConfig;
  readonly addresses: AddressesConfig;
  readonly tls: TlsConfig;
}

/** Overrides for `testConfig()`: nested objects are partial; arrays (seeds) are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What `loadConfig` returns: the frozen config and the warnings to log once a logger exists. */
export interface LoadResult {
  readonly config: Config;
  readonly warnings: string[];
}
