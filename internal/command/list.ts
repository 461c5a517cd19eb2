import { GokvError, notInteger, syntaxError, wrongArity } from '../errors/index.js';
import type { ListEntry } from '../store/index.js';
import { INT64_MIN, asciiUpper, intArg, parseInt64, positiveCountArg } from './parse.js';
import { type BinStr, OK, type Reply } from './reply.js';
import {
  type CommandContext,
  type CommandResult,
  type CommandSpec,
  command,
  readOnly,
  sameEffect,
  written,
} from './spec.js';

type End = 'head' | 'tail';

/**
 * List commands. Integer arguments are read in the order Redis reads them (some before the key
 * lookup, some after), so the same request gets the same error as on Redis. A list whose last
 * element goes is deleted (store.commit does it).
 */
export const LIST_COMMANDS: readonly CommandSpec[] = [
  command('LPUSH', -3, ['write', 'denyOom'], (ctx) => push(ctx, 'head', true)),
  command('RPUSH', -3, ['write', 'denyOom'], (ctx) => push(ctx, 'tail', true)),
  command('LPUSHX', -3, ['write', 'denyOom'], (ctx) => push(ctx, 'head', false)),
  command('RPUSHX', -3, ['write', 'denyOom'], (ctx) => push(ctx, 'tail', false)),
  command('LPOP', -2, ['write'], (ctx) => pop(ctx, 'head')),
  command('RPOP', -2, ['write'], (ctx) => pop(ctx, 'tail')),

  command('LLEN', 2, [], (ctx) => readOnly(ctx.store.getList(ctx.key)?.value.length ?? 0)),

  command('LRANGE', 4, [], (ctx) => {
    const start = intArg(ctx.args[0]!);
    const stop = intArg(ctx.args[1]!);
    return readOnly(ctx.store.getList(ctx.key)?.value.range(start, stop) ?? []);
  }),

  command('LINDEX', 3, [], (ctx) => {
    const e = ctx.store.getList(ctx.key);
    if (e === undefined) return readOnly(null);
    return readOnly(e.value.at(intArg(ctx.args[0]!)) ?? null);
  }),

  command('LSET', 4, ['write', 'denyOom'], (ctx) => {
    const e = ctx.store.getList(ctx.key);
    if (e === undefined) throw new GokvError('ERR', 'ERR no such key');
    const r = e.value.set(intArg(ctx.args[0]!), ctx.args[1]!);
    if (r === 'out-of-range') throw new GokvError('ERR', 'ERR index out of range');
    if (r === 'unchanged') return readOnly(OK);
    return written(OK, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('LTRIM', 4, ['write'], (ctx) => {
    const start = intArg(ctx.args[0]!);
    const stop = intArg(ctx.args[1]!);
    const e = ctx.store.getList(ctx.key);
    if (e === undefined || e.value.trim(start, stop) === 0) return readOnly(OK);
    return written(OK, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('LINSERT', 5, ['write', 'denyOom'], (ctx) => {
    const [where, pivot, element] = ctx.args as [BinStr, BinStr, BinStr];
    const side = asciiUpper(where);
    // Redis reads BEFORE / AFTER before it looks the key up.
    if (side !== 'BEFORE' && side !== 'AFTER') throw syntaxError();
    const e = ctx.store.getList(ctx.key);
    if (e === undefined) return readOnly(0);
    if (!e.value.insert(pivot, element, side === 'AFTER')) return readOnly(-1);
    return written(e.value.length, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),

  command('LPOS', -3, [], (ctx) => {
    const element = ctx.args[0]!;
    const { rank, count, maxLen } = lposOptions(ctx.args.slice(1));
    const e = ctx.store.getList(ctx.key);
    if (e === undefined) return readOnly(count === undefined ? null : []);
    // Redis 7.0 reads RANK -2^63 as "every match counts": the first from the tail.
    const fromTail = rank < 0n;
    const skip = fromTail ? (rank === INT64_MIN ? 1 : Number(-rank)) : Number(rank);
    const found = e.value.positions(element, skip, fromTail, count === undefined ? 1 : count, maxLen);
    return readOnly(count === undefined ? (found[0] ?? null) : found);
  }),

  command('LREM', 4, ['write'], (ctx) => {
    const count = intArg(ctx.args[0]!);
    const e = ctx.store.getList(ctx.key);
    const removed = e === undefined ? 0 : e.value.remove(count, ctx.args[1]!);
    if (e === undefined || removed === 0) return readOnly(0);
    return written(removed, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),
];

/** LPOS's RANK / COUNT / MAXLEN pairs, read in order as Redis reads them (before the key). */
function lposOptions(words: readonly BinStr[]): { rank: bigint; count: number | undefined; maxLen: number } {
  let rank = 1n;
  let count: number | undefined;
  let maxLen = 0;
  // Redis answers a COUNT or MAXLEN that is not an integer with the same words as a negative one.
  const nonNegative = (w: BinStr, what: string): number => {
    const v = parseInt64(w);
    if (v === undefined || v < 0n) throw new GokvError('ERR', `ERR ${what} can't be negative`);
    return Number(v);
  };
  for (let i = 0; i < words.length; i++) {
    const option = asciiUpper(words[i]!);
    const hasValue = i + 1 < words.length;
    if (option === 'RANK' && hasValue) {
      const v = parseInt64(words[++i]!);
      if (v === undefined) throw notInteger();
      if (v === 0n) {
        throw new GokvError('ERR', "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      }
      rank = v;
    } else if (option === 'COUNT' && hasValue) {
      count = nonNegative(words[++i]!, 'COUNT');
    } else if (option === 'MAXLEN' && hasValue) {
      maxLen = nonNegative(words[++i]!, 'MAXLEN');
    } else {
      throw syntaxError();
    }
  }
  return { rank, count, maxLen };
}

function push(ctx: CommandContext, end: End, create: boolean): CommandResult {
  const { store, key } = ctx;
  const e: ListEntry | undefined = create ? store.listForWrite(key) : store.getList(key);
  if (e === undefined) return readOnly(0);
  // LPUSH k a b c leaves c b a: each value goes to the head in turn.
  if (end === 'head') for (const v of ctx.args) e.value.pushFront(v);
  else for (const v of ctx.args) e.value.pushBack(v);
  return written(e.value.length, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
}

/** LPOP/RPOP: no count gives one value or nil; a count gives an array, or nil if no key. */
function pop(ctx: CommandContext, end: End): CommandResult {
  if (ctx.args.length > 1) throw wrongArity(ctx.name);
  const count = ctx.args.length === 1 ? positiveCountArg(ctx.args[0]!) : undefined;
  const e = ctx.store.getList(ctx.key);
  if (e === undefined) return readOnly(null);
  const take = (): BinStr => (end === 'head' ? e.value.popFront() : e.value.popBack())!;
  let reply: Reply;
  if (count === undefined) {
    reply = take();
  } else {
    const n = Math.min(count, e.value.length);
    if (n === 0) return readOnly([]);
    const out: BinStr[] = [];
    for (let i = 0; i < n; i++) out.push(take());
    reply = out;
  }
  return written(reply, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
}
