import { wrongArity } from '../errors/index.js';
import { type BinStr, Simple } from './reply.js';
import { type CommandContext, type CommandResult, type CommandSpec, command, readOnly, written } from './spec.js';

const PONG = new Simple('PONG');
const NONE = new Simple('none');
const TYPE_REPLY = { hash: new Simple('hash'), list: new Simple('list'), string: new Simple('string') } as const;

/** General keyspace commands: DEL, UNLINK, EXISTS, TYPE, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, PING. */
export const KEY_COMMANDS: readonly CommandSpec[] = [
  command('DEL', -2, ['write', 'multiKey'], deleteKeys),
  // Redis frees an unlinked value in the background; gokv's values go to the GC either way.
  command('UNLINK', -2, ['write', 'multiKey'], deleteKeys),

  command('EXISTS', -2, ['multiKey'], (ctx) => {
    // Redis counts a key named twice twice.
    let n = ctx.store.peek(ctx.key) !== undefined ? 1 : 0;
    for (const k of ctx.args) if (ctx.store.peek(k) !== undefined) n++;
    return readOnly(n);
  }),

  command('TYPE', 2, [], (ctx) => {
    const e = ctx.store.peek(ctx.key);
    return readOnly(e === undefined ? NONE : TYPE_REPLY[e.type]);
  }),

  command('TTL', 2, [], (ctx) => {
    const ms = remainingMs(ctx.store.peek(ctx.key)?.expireAtMs, ctx.store.nowMs());
    // Redis rounds the remaining time to the nearest second.
    return readOnly(ms < 0 ? ms : Math.floor((ms + 500) / 1000));
  }),

  command('PTTL', 2, [], (ctx) =>
    readOnly(remainingMs(ctx.store.peek(ctx.key)?.expireAtMs, ctx.store.nowMs())),
  ),

  // The absolute expiry: -2 without the key, -1 without a TTL (Redis rounds seconds to nearest).
  command('EXPIRETIME', 2, [], (ctx) => {
    const at = ctx.store.peek(ctx.key)?.expireAtMs;
    return readOnly(at === undefined ? -2 : at === 0 ? -1 : Math.floor((at + 500) / 1000));
  }),

  command('PEXPIRETIME', 2, [], (ctx) => {
    const at = ctx.store.peek(ctx.key)?.expireAtMs;
    return readOnly(at === undefined ? -2 : at === 0 ? -1 : at);
  }),

  command('PERSIST', 2, ['write'], (ctx) => {
    const e = ctx.store.get(ctx.key);
    if (e === undefined || e.expireAtMs === 0) return readOnly(0);
    ctx.store.setExpireAt(e, 0);
    const version = ctx.store.commit(e, ctx.version);
    return written(1, { name: 'PERSIST', key: ctx.key, args: [], version });
  }),

  command('PING', -1, ['keyless'], (ctx) => {
    // The optional message travels in the key field; anything more is Redis's arity error.
    if (ctx.args.length > 0) throw wrongArity('ping');
    return readOnly(ctx.key === '' ? PONG : ctx.key);
  }),
];

/** -2 for a missing key, -1 for no TTL, else the ms left (never negative). */
/** DEL and UNLINK: each key once (DEL k k deletes one key); only keys that exist go into the effect. */
function deleteKeys(ctx: CommandContext): CommandResult {
  const { store } = ctx;
  const present = [...new Set([ctx.key, ...ctx.args])].filter((k) => store.peek(k) !== undefined);
  if (present.length === 0) return readOnly(0);
  // One version for the whole command, above every key's own, so the effect can carry it.
  const version = ctx.version ?? present.reduce((v, k) => Math.max(v, store.nextVersion(k)), 0);
  for (const k of present) store.delete(k, version);
  const [first, ...rest] = present as [BinStr, ...BinStr[]];
  return written(present.length, { name: 'DEL', key: first, args: rest, version });
}

function remainingMs(expireAtMs: number | undefined, nowMs: number): number {
  if (expireAtMs === undefined) return -2;
  if (expireAtMs === 0) return -1;
  return Math.max(0, expireAtMs - nowMs);
}
