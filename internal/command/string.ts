import { GokvError, keyTooLarge, notFloat, notInteger, wrongArity } from '../errors/index.js';
import { STATE_WIRE_OVERHEAD_BYTES, type StringEntry } from '../store/index.js';
import { INT64_MAX, INT64_MIN, intReply, parseInt64 } from './parse.js';
import { type BinStr, OK, type Reply } from './reply.js';
import { ZERO_LONG_DOUBLE, addLongDouble, formatLongDouble, parseLongDouble } from './long-double.js';
import { absoluteExpiry, parseGetexOptions, parseSetOptions } from './set-options.js';
import {
  type CommandContext,
  type CommandResult,
  type CommandSpec,
  command,
  readOnly,
  sameEffect,
  written,
} from './spec.js';

/**
 * String commands. Every write that ends with a known value ships as `SET key value [PXAT ms]`
 * (the leader already decided NX/XX, turned relative TTLs absolute and computed INCR's result),
 * so replaying an effect never depends on a clock or on counting twice. APPEND ships as itself:
 * replicas apply it only on the exact version the leader held (replication's prev_version rule).
 */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  command('GET', 2, [], (ctx) => readOnly(ctx.store.getString(ctx.key)?.value.text ?? null)),

  command('SET', -3, ['write', 'denyOom'], (ctx) => {
    const [value, ...words] = ctx.args as [BinStr, ...BinStr[]];
    const opts = parseSetOptions(words, ctx.store.nowMs());
    // GET reads first: a hash or list under the key is WRONGTYPE and nothing is written.
    const old = opts.get ? (ctx.store.getString(ctx.key)?.value.text ?? null) : undefined;
    const exists = ctx.store.peek(ctx.key) !== undefined;
    if ((opts.condition === 'NX' && exists) || (opts.condition === 'XX' && !exists)) {
      return readOnly(opts.get ? old! : null);
    }
    return setValue(ctx, ctx.key, value, opts.expire, opts.get ? old! : OK);
  }),

  command('SETNX', 3, ['write', 'denyOom'], (ctx) => {
    if (ctx.store.peek(ctx.key) !== undefined) return readOnly(0);
    return setValue(ctx, ctx.key, ctx.args[0]!, undefined, 1);
  }),

  command('SETEX', 4, ['write', 'denyOom'], (ctx) => setEx(ctx, 'EX')),
  command('PSETEX', 4, ['write', 'denyOom'], (ctx) => setEx(ctx, 'PX')),

  // SET key value GET, as Redis 6.2 redefined it: the key loses any TTL.
  command('GETSET', 3, ['write', 'denyOom'], (ctx) => {
    const old = ctx.store.getString(ctx.key)?.value.text ?? null;
    return setValue(ctx, ctx.key, ctx.args[0]!, undefined, old);
  }),

  command('GETEX', -2, ['write'], (ctx) => {
    const option = parseGetexOptions(ctx.args);
    const e = ctx.store.getString(ctx.key);
    if (e === undefined) return readOnly(null);
    const value = e.value.text;
    if (option === undefined) return readOnly(value);
    const { store, key } = ctx;
    if (option === 'persist') {
      if (e.expireAtMs === 0) return readOnly(value);
      store.setExpireAt(e, 0);
      return written(value, { name: 'PERSIST', key, args: [], version: store.commit(e, ctx.version) });
    }
    const at = absoluteExpiry(option.word, option.time, store.nowMs(), 'GETEX');
    // A time already past deletes the key after answering its value, as in Redis (not on a
    // replica: its leader judged the time future).
    if (at <= store.nowMs() && ctx.version === undefined) {
      return written(value, { name: 'DEL', key, args: [], version: store.delete(key)! });
    }
    if (at === e.expireAtMs) return readOnly(value);
    store.setExpireAt(e, at);
    return written(value, { name: 'PEXPIREAT', key, args: [String(at)], version: store.commit(e, ctx.version) });
  }),

  command('GETDEL', 2, ['write'], (ctx) => {
    const e = ctx.store.getString(ctx.key);
    if (e === undefined) return readOnly(null);
    const value = e.value.text;
    const version = ctx.store.delete(ctx.key, ctx.version)!;
    return written(value, { name: 'DEL', key: ctx.key, args: [], version });
  }),

  command('STRLEN', 2, [], (ctx) => readOnly(ctx.store.getString(ctx.key)?.value.length ?? 0)),

  command('APPEND', 3, ['write', 'denyOom'], (ctx) => {
    const e = ctx.store.stringForWrite(ctx.key);
    const suffix = ctx.args[0]!;
    checkSize(ctx, e.value.length + suffix.length);
    const length = e.value.append(suffix);
    // Appending nothing to an existing key changes nothing; to a missing key it creates "".
    if (suffix === '' && e.version !== 0) return readOnly(length);
    return written(length, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('INCR', 2, ['write', 'denyOom'], (ctx) => incrBy(ctx, 1n)),
  command('DECR', 2, ['write', 'denyOom'], (ctx) => incrBy(ctx, -1n)),
  command('INCRBY', 3, ['write', 'denyOom'], (ctx) => incrBy(ctx, increment(ctx.args[0]!, false))),
  command('DECRBY', 3, ['write', 'denyOom'], (ctx) => incrBy(ctx, increment(ctx.args[0]!, true))),

  command('INCRBYFLOAT', 3, ['write', 'denyOom'], (ctx) => {
    // As Redis: the type first, then the stored value, then the increment.
    const e: StringEntry = ctx.store.stringForWrite(ctx.key);
    const current = e.version !== 0 ? parseLongDouble(e.value.text) : ZERO_LONG_DOUBLE;
    const increment = parseLongDouble(ctx.args[0]!);
    if (current === undefined || increment === undefined) throw notFloat();
    const next = addLongDouble(current, increment);
    if (next === undefined) throw new GokvError('ERR', 'ERR increment would produce NaN or Infinity');
    const text = formatLongDouble(next);
    e.value.set(text);
    // The key keeps its TTL; the effect is the resulting SET, never the increment.
    const version = ctx.store.commit(e, ctx.version);
    return written(text, setEffect(ctx.key, text, e.expireAtMs, version));
  }),

  command('MGET', -2, ['multiKeyArray'], (ctx) => {
    // Redis answers nil for a key of another type here, never WRONGTYPE.
    const value = (k: BinStr): Reply => {
      const e = ctx.store.get(k);
      return e?.type === 'string' ? e.value.text : null;
    };
    return readOnly([value(ctx.key), ...ctx.args.map(value)]);
  }),

  command('MSET', -3, ['write', 'denyOom', 'multiKeyPairs'], (ctx) => {
    const pairs = [ctx.key, ...ctx.args];
    if (pairs.length % 2 !== 0) throw wrongArity('mset');
    // The last value of a key named twice wins; one version for all, above every key's own.
    const values = new Map<BinStr, BinStr>();
    for (let i = 0; i < pairs.length; i += 2) values.set(pairs[i]!, pairs[i + 1]!);
    const { store } = ctx;
    const version = ctx.version ?? [...values.keys()].reduce((v, k) => Math.max(v, store.nextVersion(k)), 0);
    for (const [k, v] of values) {
      const e = store.stringForOverwrite(k);
      e.value.set(v);
      store.setExpireAt(e, 0);
      store.commit(e, version);
    }
    const args = [...values].flat();
    return written(OK, { name: 'MSET', key: args[0]!, args: args.slice(1), version });
  }),
];

/**
 * Writes `value` at `key` whatever it held (SET replaces any type). `expire`: 'keep' keeps the
 * key's TTL, a number sets it, undefined clears it. A write that changes neither bytes nor TTL
 * of an existing string ships nothing. Replies `reply`.
 */
function setValue(ctx: CommandContext, key: BinStr, value: BinStr, expire: 'keep' | number | undefined, reply: Reply): CommandResult {
  const { store } = ctx;
  checkSize(ctx, value.length);
  const previousTtl = store.peek(key)?.expireAtMs ?? 0;
  const e = store.stringForOverwrite(key);
  const expireAtMs = expire === 'keep' ? previousTtl : (expire ?? 0);
  const changed = e.value.set(value);
  // A replica applies every effect it gets (INCRBY 0 ships a SET of the same bytes).
  if (!changed && e.version !== 0 && e.expireAtMs === expireAtMs && ctx.version === undefined) return readOnly(reply);
  store.setExpireAt(e, expireAtMs);
  const version = store.commit(e, ctx.version);
  return written(reply, setEffect(key, value, expireAtMs, version));
}

function setEx(ctx: CommandContext, word: 'EX' | 'PX'): CommandResult {
  const [ttl, value] = ctx.args as [BinStr, BinStr];
  return setValue(ctx, ctx.key, value, absoluteExpiry(word, ttl, ctx.store.nowMs(), ctx.name), OK);
}

/** INCRBY/DECRBY's amount; DECRBY of INT64_MIN cannot be negated (Redis's own message). */

function increment(arg: BinStr, negate: boolean): bigint {
  const n = parseInt64(arg);
  if (n === undefined) throw notInteger();
  if (negate && n === INT64_MIN) throw new GokvError('ERR', 'ERR decrement would overflow');
  return negate ? -n : n;
}

/** INCR and friends: the value must read as a 64-bit integer; the key keeps its TTL. */
function incrBy(ctx: CommandContext, by: bigint): CommandResult {
  const e: StringEntry = ctx.store.stringForWrite(ctx.key);
  const exists = e.version !== 0;
  const current = exists ? parseInt64(e.value.text) : 0n;
  if (current === undefined) throw notInteger();
  const next = current + by;
  if (next > INT64_MAX || next < INT64_MIN) throw new GokvError('ERR', 'ERR increment or decrement would overflow');
  const text = next.toString();
  e.value.set(text);
  const version = ctx.store.commit(e, ctx.version);
  return written(intReply(next), setEffect(ctx.key, text, e.expireAtMs, version));
}

function setEffect(key: BinStr, value: BinStr, expireAtMs: number, version: number) {
  const args = expireAtMs > 0 ? [value, 'PXAT', String(expireAtMs)] : [value];
  return { name: 'SET', key, args, version };
}

/**
 * A value grown past limits.max_value_bytes is refused as Redis refuses one past its bulk limit;
 * one SETRANGE would grow past the key bound (set that close to max_message_bytes) too.
 */
export function checkSize(ctx: CommandContext, bytes: number): void {
  if (ctx.maxValueBytes > 0 && bytes > ctx.maxValueBytes) {
    throw new GokvError('LIMIT', 'ERR string exceeds maximum allowed size (limits.max_value_bytes)');
  }
  if (ctx.maxKeyBytes > 0 && STATE_WIRE_OVERHEAD_BYTES + ctx.key.length + bytes > ctx.maxKeyBytes) throw keyTooLarge();
}
