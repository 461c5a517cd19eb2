import { GokvError } from '../errors/index.js';
import type { Seed } from './transport.js';

/** Gossip timings and fan-out. Defaults live in config/ (`messaging.*`); these are checked here. */
export interface GossiperOptions {
  /** `messaging.heartbeat_interval`: one round per interval, jittered by +-25 %. */
  readonly heartbeatIntervalMs: number;
  /** `messaging.gossip_peer_count`: live peers contacted per round. */
  readonly gossipPeerCount: number;
  /** `messaging.suspect_after`: no progress for this long -> suspect. */
  readonly suspectAfterMs: number;
  /** `messaging.dead_after`: no progress for this long (from the last progress) -> dead. */
  readonly deadAfterMs: number;
  /** Dead and left members are forgotten this long after their last progress. */
  readonly forgetDeadAfterMs: number;
  /** `GOKV_CLUSTER_SEEDS`. */
  readonly seeds: readonly Seed[];
  /** One dead member or seed is probed every this many rounds (default 4), so partitions heal. */
  readonly probeEveryRounds?: number;
  /** A gap between ticks above this many intervals is a local stall (default 2). */
  readonly stallFactor?: number;
  /** Scale the three timeouts by max(1, log10(live members)), as memberlist does (default true). */
  readonly scaleWithClusterSize?: boolean;
  /** `limits.max_members`: members the table holds, ourselves included, and entries read per message (default no bound). */
  readonly maxMembers?: number;
}

export type ResolvedGossiperOptions = Required<GossiperOptions>;

export const DEFAULT_PROBE_EVERY_ROUNDS = 4;
export const DEFAULT_STALL_FACTOR = 2;

/** Fills the optional fields and reports every broken invariant at once. */
export function resolveGossiperOptions(options: GossiperOptions): ResolvedGossiperOptions {
  const resolved: ResolvedGossiperOptions = {
    probeEveryRounds: DEFAULT_PROBE_EVERY_ROUNDS,
    stallFactor: DEFAULT_STALL_FACTOR,
    scaleWithClusterSize: true,
    maxMembers: Infinity,
    ...options,
  };
  const problems: string[] = [];
  const positive = (name: keyof ResolvedGossiperOptions, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be > 0 (got ${value})`);
  };
  positive('heartbeatIntervalMs', resolved.heartbeatIntervalMs);
  positive('suspectAfterMs', resolved.suspectAfterMs);
  positive('probeEveryRounds', resolved.probeEveryRounds);
  if (resolved.stallFactor <= 1) problems.push(`stallFactor must be > 1 (got ${resolved.stallFactor})`);
  if (!Number.isInteger(resolved.gossipPeerCount) || resolved.gossipPeerCount < 0) {
    problems.push(`gossipPeerCount must be a whole number >= 0 (got ${resolved.gossipPeerCount})`);
  }
  if (!(resolved.maxMembers >= 1)) problems.push(`maxMembers must be >= 1 (got ${resolved.maxMembers})`);
  if (!(resolved.deadAfterMs > resolved.suspectAfterMs)) {
    problems.push(`deadAfterMs (${resolved.deadAfterMs}) must exceed suspectAfterMs (${resolved.suspectAfterMs})`);
  }
  if (!(resolved.forgetDeadAfterMs > resolved.deadAfterMs)) {
    problems.push(
      `forgetDeadAfterMs (${resolved.forgetDeadAfterMs}) must exceed deadAfterMs (${resolved.deadAfterMs})`,
    );
  }
  if (problems.length > 0) throw new GokvError('ERR', `ERR invalid gossip options: ${problems.join('; ')}`);
  return resolved;
}
