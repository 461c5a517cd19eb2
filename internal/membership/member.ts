/**
 * What a member is, as gossiped (MemberEntry) and as held locally (Member), and the changes the
 * table reports so the node can rebuild its ring.
 */

export const MEMBER_STATUSES = ['alive', 'suspect', 'dead', 'left'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/**
 * One member as it travels between nodes (the Heartbeat RPC's `HeartbeatNode`). `incarnation`
 * only grows across runs of the same id (start time in ms, bumped by one to refute);
 * `heartbeat` is incremented by the member itself once per interval. No wall-clock time is
 * exchanged: freshness is the (incarnation, heartbeat) pair.
 */
export interface MemberEntry {
  readonly id: string;
  readonly internalAddr: string;
  readonly grpcAddr: string;
  readonly restAddr: string;
  readonly status: MemberStatus;
  readonly incarnation: number;
  readonly heartbeat: number;
}

/** A member as held locally: the entry plus bookkeeping that never leaves this node. */
export interface Member extends MemberEntry {
  /** Local monotonic ms at which its (incarnation, heartbeat) last advanced here. */
  readonly progressAtMs: number;
  /** Local monotonic ms at which its status last changed here. */
  readonly statusSinceMs: number;
}

/** The addresses and identity a node starts with. */
export interface SelfInfo {
  readonly id: string;
  readonly internalAddr: string;
  readonly grpcAddr: string;
  readonly restAddr: string;
}

/** What a merge, the detector or a leave changed; the node rebuilds its ring from these. */
export type MemberChange =
  | { readonly kind: 'joined'; readonly member: MemberEntry }
  | {
      readonly kind: 'statusChanged';
      readonly id: string;
      readonly from: MemberStatus;
      readonly to: MemberStatus;
      readonly incarnation: number;
    }
  | {
      /**
       * A known member came back with a higher incarnation (a refutation or a restart: "a new
       * incarnation is a leave plus a join"). `heartbeatReset` hints at a restart: the new
       * process counts heartbeats from zero again.
       */
      readonly kind: 'incarnationChanged';
      readonly id: string;
      readonly from: number;
      readonly to: number;
      readonly heartbeatReset: boolean;
    }
  /** `previousInternalAddr`: where it was reached before, so the node can close that channel. */
  | { readonly kind: 'addressChanged'; readonly member: MemberEntry; readonly previousInternalAddr: string }
  /** `internalAddr` is where it was reached, so the node can close its channel there. */
  | { readonly kind: 'forgotten'; readonly id: string; readonly status: MemberStatus; readonly internalAddr: string }
  /**
   * We were held suspect, dead or left by someone and bumped our own incarnation. `claimedBy`:
   * the internal address of an entry that held our id alive at a higher incarnation than ours:
   * another process with this node's id (incarnations start at the wall clock, so an earlier run
   * of ours is below us).
   */
  | { readonly kind: 'refuted'; readonly id: string; readonly claimed: MemberStatus; readonly incarnation: number; readonly claimedBy?: string }
  /**
   * Our own process stalled (paused, blocked) for longer than suspect_after between two gossip
   * ticks: peers may have held us dead meanwhile and moved our keys, whatever we hear next (a
   * queued heartbeat from before their verdict may make us refute only a suspicion).
   */
  | { readonly kind: 'stalled'; readonly id: string; readonly stallMs: number };

/** Alive and suspect members are in the ring; dead and left ones are out. */
export const isInRing = (status: MemberStatus): boolean => status === 'alive' || status === 'suspect';

/** Status verdicts that spread at equal incarnation (suspicion stays a local opinion). */
export const isVerdict = (status: MemberStatus): boolean => status === 'dead' || status === 'left';

const STATUS_SET: ReadonlySet<string> = new Set(MEMBER_STATUSES);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A node id's longest form (config's node_id rule: 1-255 characters). */
export const MAX_MEMBER_ID_LENGTH = 255;
/** An address's longest form: a 253-character host name, a port and room for brackets. */
export const MAX_MEMBER_ADDR_LENGTH = 300;
/**
 * How far ahead of this node's wall clock an incarnation may be. Incarnations start at a node's
 * wall clock and grow by one per refutation, so an honest one is near some node's clock. An
 * entry claiming a member `left` at 2^53 - 1 (one request to the internal port) was refuted at
 * 2^53, which is not a safe integer: every node then refused the refutation and held a healthy
 * member left for good. Bounded by the clock, any refutation is in bounds a moment later.
 */
export const MAX_INCARNATION_AHEAD_MS = 365 * 24 * 3600 * 1000;

/**
 * Cheap shape check for entries from the wire; malformed ones are skipped, not trusted. A member
 * needs an internal address: one without could lead keys no one can reach, and gRPC throws on
 * an empty target where a replication stream to it is opened, outside any handler. Ids and
 * addresses are bounded as config bounds them (a 1 MB id was accepted and put in every log
 * line about it), incarnations by `maxIncarnation` (see MAX_INCARNATION_AHEAD_MS).
 */
export function isValidEntry(e: MemberEntry, maxIncarnation = Number.MAX_SAFE_INTEGER - 1): boolean {
  return (
    typeof e.id === 'string' &&
    e.id.length > 0 &&
    e.id.length <= MAX_MEMBER_ID_LENGTH &&
    isAddress(e.internalAddr, 1) &&
    isAddress(e.grpcAddr, 0) &&
    isAddress(e.restAddr, 0) &&
    STATUS_SET.has(e.status) &&
    isCount(e.incarnation) &&
    e.incarnation <= maxIncarnation &&
    isCount(e.heartbeat)
  );
}

const isAddress = (a: unknown, minLength: number): boolean =>
  typeof a === 'string' && a.length >= minLength && a.length <= MAX_MEMBER_ADDR_LENGTH;

/**
 * A row of the table: the member's wire entry, immutable (replaced on change, never mutated, so a
 * snapshot sent to a peer can share it), plus local bookkeeping.
 */
export interface MemberRow {
  readonly entry: MemberEntry;
  /** Local monotonic ms at which its (incarnation, heartbeat) last advanced here. */
  readonly progressAtMs: number;
  /** Local monotonic ms at which its status last changed here. */
  readonly statusSinceMs: number;
}

/**
 * A wire entry with the given status (and optionally a new incarnation or heartbeat). Entries
 * are built field by field, never with object spread: V8 gives spread-built objects a
 * shape that is read an order of magnitude slower, and merge reads entries in a hot loop.
 */
export function entryOf(
  e: MemberEntry,
  status: MemberStatus,
  incarnation = e.incarnation,
  heartbeat = e.heartbeat,
): MemberEntry {
  return {
    id: e.id,
    internalAddr: e.internalAddr,
    grpcAddr: e.grpcAddr,
    restAddr: e.restAddr,
    status,
    incarnation,
    heartbeat,
  };
}

export const memberOf = (row: MemberRow): Member => ({
  id: row.entry.id,
  internalAddr: row.entry.internalAddr,
  grpcAddr: row.entry.grpcAddr,
  restAddr: row.entry.restAddr,
  status: row.entry.status,
  incarnation: row.entry.incarnation,
  heartbeat: row.entry.heartbeat,
  progressAtMs: row.progressAtMs,
  statusSinceMs: row.statusSinceMs,
});
