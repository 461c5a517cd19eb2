import type { Store } from '../store/index.js';
import type { BinStr, Reply } from './reply.js';

/** One command as gokv's gRPC carries it: the first argument after the name travels in `key`. */
export interface CommandRequest {
  readonly name: string;
  /** The key; SCAN's cursor; PING's optional message. Empty means absent (proto3). */
  readonly key: BinStr;
  readonly args: readonly BinStr[];
}

/**
 * A write as replication ships it: the command rewritten so that replaying effects in order on a
 * replica with `executeCommand(store, effect, { version: effect.version })` yields the same state
 * (relative TTLs become PEXPIREAT, HINCRBY becomes HSET of the result).
 */
export interface Effect extends CommandRequest {
  readonly version: number;
}

/** Half-open [from, to) of ring positions in [0, 2^32]. */
export interface ScanRange {
  readonly from: number;
  readonly to: number;
}

/** `limits.max_args` and `limits.max_value_bytes`; 0 = no limit. */
export interface CommandLimits {
  readonly maxArgs: number;
  readonly maxValueBytes: number;
  /**
   * `limits.max_message_bytes`: bounds a reply that is not bounded by the data (HRANDFIELD with a
   * negative count), since a larger one could not cross a gRPC hop anyway. Absent or 0 = none.
   */
  readonly maxReplyBytes?: number;
}

export interface ExecuteOptions {
  /** Apply with this version (a replica applying its leader's effect) instead of stamping one. */
  readonly version?: number;
  readonly limits?: CommandLimits;
  /** The part of the ring SCAN walks here (the router passes what this node owns). */
  readonly scanRange?: ScanRange;
}

export interface CommandResult {
  readonly reply: Reply;
  /** Present only when the command changed the store. */
  readonly effect?: Effect;
}

export interface CommandFlags {
  /** Mutates the store (routed to the leader, replicated). */
  readonly write: boolean;
  /** May grow memory: the store makes room (or refuses with OOM) before it runs. */
  readonly denyOom: boolean;
  /** Needs no key (PING): the key field is an optional argument. */
  readonly keyless: boolean;
  /** SCAN: the key field is a cursor, not a key. */
  readonly scan: boolean;
  /** Several keys (DEL, EXISTS): the router may split them by owner and sum the replies. */
  readonly multiKey: boolean;
  /** Several keys (MGET): the router may split them by owner and join the array replies in order. */
  readonly multiKeyArray: boolean;
  /** Key-value pairs (MSET): the router may split them by owner; each part replies OK. */
  readonly multiKeyPairs: boolean;
}

/** What a command's run function sees. */
export interface CommandContext {
  readonly store: Store;
  /** The canonical (upper-case) name. */
  readonly name: string;
  readonly key: BinStr;
  readonly args: readonly BinStr[];
  /** An explicit version to stamp (replica apply); undefined on the leader. */
  readonly version: number | undefined;
  readonly scanRange: ScanRange;
  /** `limits.max_value_bytes` (0 = none): also bounds values a command grows (APPEND). */
  readonly maxValueBytes: number;
  /** `limits.max_args` (0 = none): also bounds the items of a reply the data does not bound. */
  readonly maxArgs: number;
  /** CommandLimits.maxReplyBytes (0 = none). */
  readonly maxReplyBytes: number;
}

export interface CommandSpec {
  /** Upper case. */
  readonly name: string;
  /** Redis-style: counts the name and the key; negative = at least that many. */
  readonly arity: number;
  readonly flags: CommandFlags;
  readonly run: (ctx: CommandContext) => CommandResult;
}

type FlagName = keyof CommandFlags;

/** Builds a spec; `flags` lists the flags that are set. */
export function command(
  name: string,
  arity: number,
  flags: readonly FlagName[],
  run: (ctx: CommandContext) => CommandResult,
): CommandSpec {
  const has = (f: FlagName): boolean => flags.includes(f);
  return Object.freeze({
    name,
    arity,
    flags: Object.freeze({
      write: has('write'),
      denyOom: has('denyOom'),
      keyless: has('keyless'),
      scan: has('scan'),
      multiKey: has('multiKey'),
      multiKeyArray: has('multiKeyArray'),
      multiKeyPairs: has('multiKeyPairs'),
    }),
    run,
  });
}

/** The command itself as its effect (a deterministic write replays as is). */
export function sameEffect(ctx: CommandContext, version: number): Effect {
  return { name: ctx.name, key: ctx.key, args: ctx.args.slice(), version };
}

/** A reply with the effect of a write that changed the store. */
export const written = (reply: Reply, effect: Effect): CommandResult => ({ reply, effect });

/** A reply with no effect (a read, or a write that changed nothing). */
export const readOnly = (reply: Reply): CommandResult => ({ reply });
