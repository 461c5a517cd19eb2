/**
 * The config.yml key table: for each `section.key`, the Config field it sets, how its text is
 * parsed and the range it must lie in. Loading and validation both walk this one table, so a key
 * added here is parsed, range-checked and named in messages everywhere.
 */
import { EVICTION_POLICIES, MINORITY_WRITES, REPLICATION_MODES, RESTORE_POLICIES } from './types.js';
import type { Config } from './types.js';
import { MAX_TIMER_MS } from './parse-units.js';

export type KeyKind = 'int' | 'duration' | 'size' | 'enum';

/** The Config fields of a section (distributes over a union of sections). */
export type FieldOf<S extends Section> = S extends Section ? keyof Config[S] & string : never;

export interface KeySpec<S extends Section = Section> {
  /** The YAML key inside its section (`v_node_count`). */
  readonly key: string;
  readonly field: FieldOf<S>;
  readonly kind: KeyKind;
  /** Smallest allowed value (numbers). */
  readonly min?: number;
  /** Largest allowed value (numbers); durations default to MAX_TIMER_MS. */
  readonly max?: number;
  /** Allowed values (enums). */
  readonly values?: readonly string[];
}

export const SECTIONS = [
  'cluster',
  'messaging',
  'replication',
  'rebalance',
  'maintenance',
  'memory',
  'limits',
  'persistence',
] as const;
export type Section = (typeof SECTIONS)[number];

export const FILE_KEYS: { readonly [S in Section]: readonly KeySpec<S>[] } = {
  cluster: [
    { key: 'v_node_count', field: 'vNodeCount', kind: 'int', min: 1, max: 65_536 },
    { key: 'replicas', field: 'replicas', kind: 'int', min: 0, max: 64 },
    { key: 'hop_limit', field: 'hopLimit', kind: 'int', min: 1, max: 16 },
    { key: 'minority_writes', field: 'minorityWrites', kind: 'enum', values: MINORITY_WRITES },
  ],
  messaging: [
    { key: 'gossip_peer_count', field: 'gossipPeerCount', kind: 'int', min: 1 },
    { key: 'heartbeat_interval', field: 'heartbeatIntervalMs', kind: 'duration', min: 1 },
    { key: 'suspect_after', field: 'suspectAfterMs', kind: 'duration', min: 1 },
    { key: 'dead_after', field: 'deadAfterMs', kind: 'duration', min: 1 },
    { key: 'message_timeout', field: 'messageTimeoutMs', kind: 'duration', min: 1 },
    { key: 'forget_dead_after', field: 'forgetDeadAfterMs', kind: 'duration', min: 1 },
  ],
  replication: [
    { key: 'mode', field: 'mode', kind: 'enum', values: REPLICATION_MODES },
    { key: 'tombstone_retention', field: 'tombstoneRetentionMs', kind: 'duration', min: 1 },
  ],
  rebalance: [
    { key: 'rebalance_debounce', field: 'rebalanceDebounceMs', kind: 'duration', min: 0 },
    { key: 'batch_bytes', field: 'batchBytes', kind: 'size', min: 1 },
    { key: 'pull_window', field: 'pullWindowMs', kind: 'duration', min: 1 },
    { key: 'leave_timeout', field: 'leaveTimeoutMs', kind: 'duration', min: 0 },
  ],
  maintenance: [
    { key: 'cleanup_interval', field: 'cleanupIntervalMs', kind: 'duration', min: 0 },
    { key: 'expiry_budget', field: 'expiryBudgetMs', kind: 'duration', min: 1 },
  ],
  memory: [
    { key: 'max_memory', field: 'maxMemoryBytes', kind: 'size', min: 0 },
    { key: 'eviction_policy', field: 'evictionPolicy', kind: 'enum', values: EVICTION_POLICIES },
    { key: 'eviction_samples', field: 'evictionSamples', kind: 'int', min: 1, max: 1_024 },
  ],
  limits: [
    { key: 'max_args', field: 'maxArgs', kind: 'int', min: 1 },
    { key: 'max_value_bytes', field: 'maxValueBytes', kind: 'size', min: 1 },
    // grpc-js takes message limits as 32-bit signed integers.
    { key: 'max_message_bytes', field: 'maxMessageBytes', kind: 'size', min: 1, max: 2 ** 31 - 1 },
    { key: 'max_in_flight_per_stream', field: 'maxInFlightPerStream', kind: 'int', min: 1 },
    { key: 'max_calls_per_connection', field: 'maxCallsPerConnection', kind: 'int', min: 1, max: 2 ** 31 - 1 },
    { key: 'max_clients', field: 'maxClients', kind: 'int', min: 1 },
    { key: 'max_client_memory', field: 'maxClientMemory', kind: 'size', min: 0 },
    { key: 'max_members', field: 'maxMembers', kind: 'int', min: 1 },
  ],
  persistence: [
    { key: 'persistence_interval', field: 'persistenceIntervalMs', kind: 'duration', min: 0 },
    { key: 'restore_on_startup', field: 'restoreOnStartup', kind: 'enum', values: RESTORE_POLICIES },
  ],
};

/** Keys of the Go gokv that are accepted and ignored, with the reason given in the warning. */
export const LEGACY_KEYS: Readonly<Record<string, string>> = {
  'messaging.message_retry':
    'ignored: gokv no longer retries internal calls (writes are not idempotent); remove it',
};

/** Misspelled sections of the Go gokv, read as the real section with a warning. */
export const LEGACY_SECTIONS: Readonly<Record<string, Section>> = { maintance: 'maintenance' };

/** Every spec with its section, in file order. */
export const allKeySpecs = (): { section: Section; spec: KeySpec }[] =>
  SECTIONS.flatMap((section) => FILE_KEYS[section].map((spec) => ({ section, spec: spec as KeySpec })));

/** The largest value a key accepts. */
export const maxOf = (spec: KeySpec): number =>
  spec.max ?? (spec.kind === 'duration' ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER);
