import type { Clock, Random } from '../clock/index.js';
import type { BinStr } from './bytes.js';
import type { RemovalReason } from './entry.js';

export const EVICTION_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'volatile-lru',
  'allkeys-random',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** What the store needs from the outside world; all of it injected so tests drive it by hand. */
export interface StoreDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** The key's uint32 ring position (the ring's xxHash of the key's bytes in production). */
  readonly hashKey: (key: BinStr) => number;
  /**
   * Called synchronously when a key leaves without a command deleting it (expiry, eviction),
   * with the tombstone's version, so replication can ship the deletion and metrics can count it.
   * Must not call back into the store.
   */
  readonly onRemoved?: (key: BinStr, reason: RemovalReason, version: number) => void;
}

export interface StoreOptions {
  /** `memory.max_memory` (GOKV config): estimated bytes; 0 = unlimited. */
  readonly maxMemoryBytes: number;
  /** `memory.eviction_policy`: what to do when over maxMemoryBytes. */
  readonly evictionPolicy: EvictionPolicy;
  /** Keys sampled per eviction (Redis `maxmemory-samples`). */
  readonly evictionSamples: number;
  /**
   * Most keys evicted per call (a write, an active-expiry cycle), so a store far over the limit
   * (a hand-off, resync or restore merged past it) gets back under in chunks, not in one tick.
   */
  readonly evictionChunk: number;
  /** How long a deleted key's version is remembered (must outlast a hand-off). */
  readonly tombstoneRetentionMs: number;
  /** Most tombstones pruned per maintenance call, so pruning never stalls the event loop. */
  readonly tombstonePruneChunk: number;
  /**
   * Over maxMemoryBytes, tombstones beyond this share of it are dropped before their retention
   * ends, oldest first, rather than evicting keys for them.
   */
  readonly tombstoneMemoryShare: number;
  /**
   * ...but never one deleted less than this long ago (capped at the retention): longer than a
   * hand-off or replication message can stay in flight on a live connection (keepalive drops a
   * silent one after about 15 s), so a copy read before the delete cannot land after it.
   */
  readonly tombstoneMinRetentionMs: number;
  /** Keys with a TTL sampled per active-expiry round (Redis uses 20). */
  readonly activeExpireSamples: number;
  /** Rounds per active-expiry cycle at most, a bound beside the time budget. */
  readonly activeExpireMaxRounds: number;
  /** A scan page looks at most this many times `count` keys (MATCH/TYPE may reject most). */
  readonly scanExamineFactor: number;
  /** ...and at most this many whatever `count` asked (COUNT is a hint), so a page is one bounded tick; an HSCAN page takes at most this many fields. */
  readonly scanMaxExamine: number;
  /** Most expired keys a scan page deletes; it skips the others, left to active expiry. */
  readonly scanExpireChunk: number;
}

export const DEFAULT_STORE_OPTIONS: Readonly<StoreOptions> = Object.freeze({
  maxMemoryBytes: 0,
  evictionPolicy: 'allkeys-lru',
  evictionSamples: 5,
  evictionChunk: 1000,
  tombstoneRetentionMs: 300_000,
  tombstonePruneChunk: 1000,
  tombstoneMemoryShare: 0.25,
  tombstoneMinRetentionMs: 60_000,
  activeExpireSamples: 20,
  activeExpireMaxRounds: 1000,
  scanExamineFactor: 10,
  scanMaxExamine: 100_000,
  scanExpireChunk: 1000,
});
