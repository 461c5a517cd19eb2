import { GokvError, wrongArity } from '../errors/index.js';
import type { ListEntry } from '../store/index.js';
import { intArg, positiveCountArg } from './parse.js';
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

  command('LREM', 4, ['write'], (ctx) => {
    const count = intArg(ctx.args[0]!);
    const e = ctx.store.getList(ctx.key);
    const removed = e === undefined ? 0 : e.value.remove(count, ctx.args[1]!);
    if (e === undefined || removed === 0) return readOnly(0);
    return written(removed, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),
];

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
