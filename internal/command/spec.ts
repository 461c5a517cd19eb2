import { unknownSubcommand, wrongArity } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { asciiUpper } from './parse.js';
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
  /**
   * The largest a key's state may grow on the wire (store's maxKeyBytes of
   * `limits.max_message_bytes`), so that it fits one message to be replicated and moved.
   * Absent or 0 = none.
   */
  readonly maxKeyBytes?: number;
}

export interface ExecuteOptions {
  /** Apply with this version (a replica applying its leader's effect) instead of stamping one. */
  readonly version?: number;
  readonly limits?: CommandLimits;
  /** The part of the ring SCAN walks here (the router passes what this node owns). */
  readonly scanRange?: ScanRange;
  /**
   * Set when the caller made room itself (store.evictToLimit) before reading the version the
   * write follows: true, room was made and no more is evicted here (a second chunk could evict
   * the key itself after that read); false, none could be (OOM, unless a replica applies).
   */
  readonly room?: boolean;
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
  /** CommandLimits.maxKeyBytes on the leader (0 = none): also bounds a string SETRANGE grows. */
  readonly maxKeyBytes: number;
}

export interface CommandSpec {
  /** Upper case. */
  readonly name: string;
  /** Redis-style: counts the name and the key; negative = at least that many. */
  readonly arity: number;
  readonly flags: CommandFlags;
  /** A container command's subcommands (see container()), by upper- and lower-case name. */
  readonly subcommands: ReadonlyMap<string, SubcommandSpec> | undefined;
  readonly run: (ctx: CommandContext) => CommandResult;
}

/** One subcommand of a container command (OBJECT ENCODING, MEMORY USAGE). */
export interface SubcommandSpec {
  /** Upper case. */
  readonly name: string;
  /** Redis-style, counting the command's name and the subcommand: OBJECT ENCODING key is 3. */
  readonly arity: number;
  /** Its first argument is a key: the command routes by it (routingKey). */
  readonly keyed: boolean;
  /** Runs with ctx.key the key and ctx.args what follows it; unkeyed: ctx.key '', ctx.args all. */
  readonly run: (ctx: CommandContext) => CommandResult;
}

type FlagName = keyof CommandFlags;

/** Builds a spec; `flags` lists the flags that are set. */
export function command(
  name: string,
  arity: number,
  flags: readonly FlagName[],
  run: (ctx: CommandContext) => CommandResult,
  subcommands?: ReadonlyMap<string, SubcommandSpec>,
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
    subcommands,
    run,
  });
}

/**
 * A read-only container command, as Redis 7 has them: `OBJECT ENCODING key`. The subcommand is
 * the first argument, so it travels in `key` (gRPC's CommandRequest.key, as any first argument
 * does), and the key, when the subcommand takes one, is args[0]: routingKey() finds it, so the
 * command runs on that key's leader on every path (RESP, gRPC, REST, a forward). Each
 * subcommand has its own arity, checked here with Redis's wording (`'object|encoding'`).
 */
export function container(name: string, subcommands: readonly SubcommandSpec[]): CommandSpec {
  const byName = new Map<string, SubcommandSpec>();
  for (const sub of subcommands) {
    byName.set(sub.name, sub);
    byName.set(sub.name.toLowerCase(), sub);
  }
  return command(name, -2, [], (ctx) => {
    const sub = byName.get(ctx.key) ?? byName.get(asciiUpper(ctx.key));
    if (sub === undefined) throw unknownSubcommand(name, ctx.key);
    const argc = 2 + ctx.args.length;
    if (sub.arity >= 0 ? argc !== sub.arity : argc < -sub.arity) throw wrongArity(`${name}|${sub.name}`);
    if (!sub.keyed) return sub.run({ ...ctx, key: '' });
    const key = ctx.args[0]!;
    if (key === '') throw wrongArity(`${name}|${sub.name}`); // gokv refuses the empty key everywhere
    return sub.run({ ...ctx, key, args: ctx.args.slice(1) });
  }, byName);
}

/**
 * The key a command acts on, for routing and per-key ordering: `key`, except for a container
 * command, whose key follows a keyed subcommand; '' when it takes none (HELP) or the
 * subcommand is unknown, so it is answered where it arrived.
 */
export function routingKey(spec: CommandSpec, request: CommandRequest): BinStr {
  const subs = spec.subcommands;
  if (subs === undefined) return request.key;
  const sub = subs.get(request.key) ?? subs.get(asciiUpper(request.key));
  return sub?.keyed === true ? (request.args[0] ?? '') : '';
}

/** The command itself as its effect (a deterministic write replays as is). */
export function sameEffect(ctx: CommandContext, version: number): Effect {
  return { name: ctx.name, key: ctx.key, args: ctx.args.slice(), version };
}

/** A reply with the effect of a write that changed the store. */
export const written = (reply: Reply, effect: Effect): CommandResult => ({ reply, effect });

/** A reply with no effect (a read, or a write that changed nothing). */
export const readOnly = (reply: Reply): CommandResult => ({ reply });
