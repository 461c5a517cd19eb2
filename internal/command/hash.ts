import { GokvError, notFloat, notInteger, wrongArity } from '../errors/index.js';
import { ZERO_LONG_DOUBLE, addLongDouble, formatLongDouble, parseLongDouble } from './long-double.js';
import { INT64_MAX, INT64_MIN, intReply, parseInt64 } from './parse.js';
import { type BinStr, OK, type Reply, ReplyMap } from './reply.js';
import {
  type CommandContext,
  type CommandResult,
  type CommandSpec,
  command,
  readOnly,
  sameEffect,
  written,
} from './spec.js';

/** Hash commands. A hash whose last field is deleted is deleted (store.commit does it). */
export const HASH_COMMANDS: readonly CommandSpec[] = [
  command('HSET', -4, ['write', 'denyOom'], (ctx) => {
    const added = setPairs(ctx);
    return added === undefined ? readOnly(0) : written(added.count, sameEffect(ctx, added.version));
  }),

  command('HMSET', -4, ['write', 'denyOom'], (ctx) => {
    const added = setPairs(ctx);
    return added === undefined ? readOnly(OK) : written(OK, sameEffect(ctx, added.version));
  }),

  command('HSETNX', 4, ['write', 'denyOom'], (ctx) => {
    const e = ctx.store.hashForWrite(ctx.key);
    const [field, value] = ctx.args as [BinStr, BinStr];
    if (e.value.has(field)) return readOnly(0);
    e.value.set(field, value);
    return written(1, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('HGET', -3, [], (ctx) => {
    // gokv's form: several fields, answered as a map of the ones that exist.
    const h = ctx.store.getHash(ctx.key)?.value;
    const entries: Array<[BinStr, Reply]> = [];
    if (h !== undefined) {
      // Fields once each; one field (the usual call) needs no Set: a Set of one fresh string cost
      // 160 ns here, mostly hashing it, which a small hash's field compare does not need.
      const fields = ctx.args.length === 1 ? ctx.args : new Set(ctx.args);
      for (const f of fields) {
        const v = h.get(f);
        if (v !== undefined) entries.push([f, v]);
      }
    }
    return readOnly(new ReplyMap(entries));
  }),

  command('HMGET', -3, [], (ctx) => {
    const h = ctx.store.getHash(ctx.key)?.value;
    return readOnly(ctx.args.map((f) => h?.get(f) ?? null));
  }),

  command('HGETALL', 2, [], (ctx) => {
    const h = ctx.store.getHash(ctx.key)?.value;
    return readOnly(new ReplyMap(h === undefined ? [] : [...h.entries()]));
  }),

  command('HDEL', -3, ['write'], (ctx) => {
    const e = ctx.store.getHash(ctx.key);
    if (e === undefined) return readOnly(0);
    let removed = 0;
    for (const f of ctx.args) if (e.value.delete(f)) removed++;
    if (removed === 0) return readOnly(0);
    return written(removed, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('HKEYS', 2, [], (ctx) => readOnly(ctx.store.getHash(ctx.key)?.value.fields() ?? [])),
  command('HVALS', 2, [], (ctx) => readOnly(ctx.store.getHash(ctx.key)?.value.values() ?? [])),
  command('HLEN', 2, [], (ctx) => readOnly(ctx.store.getHash(ctx.key)?.value.size ?? 0)),

  command('HEXISTS', 3, [], (ctx) =>
    readOnly(ctx.store.getHash(ctx.key)?.value.has(ctx.args[0]!) === true ? 1 : 0),
  ),

  command('HSTRLEN', 3, [], (ctx) =>
    readOnly(ctx.store.getHash(ctx.key)?.value.get(ctx.args[0]!)?.length ?? 0),
  ),

  command('HINCRBYFLOAT', 4, ['write', 'denyOom'], incrByFloat),

  command('HINCRBY', 4, ['write', 'denyOom'], (ctx) => {
    const [field, by] = ctx.args as [BinStr, BinStr];
    const increment = parseInt64(by);
    if (increment === undefined) throw notInteger();
    const e = ctx.store.hashForWrite(ctx.key);
    const old = e.value.get(field);
    const current = old === undefined ? 0n : parseInt64(old);
    if (current === undefined) throw new GokvError('ERR', 'ERR hash value is not an integer');
    const next = current + increment;
    if (next > INT64_MAX || next < INT64_MIN) {
      throw new GokvError('ERR', 'ERR increment or decrement would overflow');
    }
    const text = next.toString();
    if (e.value.set(field, text) === 'unchanged') return readOnly(intReply(next));
    // Shipped as the resulting HSET: replaying it twice cannot count twice.
    const version = ctx.store.commit(e, ctx.version);
    return written(intReply(next), { name: 'HSET', key: ctx.key, args: [field, text], version });
  }),
];

/** HINCRBYFLOAT's long double sum, as Redis 7.0 orders its checks: the increment, the type, the field. */
function incrByFloat(ctx: CommandContext): CommandResult {
  const [field, by] = ctx.args as [BinStr, BinStr];
  const increment = parseLongDouble(by);
  if (increment === undefined) throw notFloat();
  if ('inf' in increment) throw new GokvError('ERR', 'ERR value is NaN or Infinity');
  const e = ctx.store.hashForWrite(ctx.key);
  const old = e.value.get(field);
  const current = old === undefined ? ZERO_LONG_DOUBLE : parseLongDouble(old);
  if (current === undefined) throw new GokvError('ERR', 'ERR hash value is not a float');
  const next = addLongDouble(current, increment);
  if (next === undefined) throw new GokvError('ERR', 'ERR increment would produce NaN or Infinity');
  const text = formatLongDouble(next);
  if (e.value.set(field, text) === 'unchanged') return readOnly(text);
  // Shipped as the resulting HSET, as HINCRBY is.
  const version = ctx.store.commit(e, ctx.version);
  return written(text, { name: 'HSET', key: ctx.key, args: [field, text], version });
}

/** HSET/HMSET: sets pairs; undefined when nothing changed, else fields added and the version. */
function setPairs(ctx: CommandContext): { count: number; version: number } | undefined {
  const { args } = ctx;
  if (args.length % 2 !== 0) throw wrongArity(ctx.name);
  const e = ctx.store.hashForWrite(ctx.key);
  let count = 0;
  let changed = false;
  for (let i = 0; i + 1 < args.length; i += 2) {
    const r = e.value.set(args[i]!, args[i + 1]!);
    if (r === 'added') count++;
    if (r !== 'unchanged') changed = true;
  }
  if (!changed) return undefined;
  return { count, version: ctx.store.commit(e, ctx.version) };
}
