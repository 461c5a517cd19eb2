import { GokvError, notInteger, printable } from '../errors/index.js';
import { INT64_MAX, INT64_MIN, asciiUpper, parseInt64 } from './parse.js';
import { parseDurationMs } from './duration.js';
import type { BinStr } from './reply.js';
import {
  type CommandContext,
  type CommandResult,
  type CommandSpec,
  command,
  readOnly,
  written,
} from './spec.js';

/** EXPIRE's NX / XX / GT / LT options; several may hold (XX GT). */
type Conditions = ReadonlySet<string>;

/**
 * How the TTL argument reads: seconds (EXPIRE), milliseconds (PEXPIRE), or an absolute Unix
 * time in seconds (EXPIREAT) or milliseconds (PEXPIREAT).
 */
type TtlForm = 'seconds' | 'millis' | 'atSeconds' | 'at';

const invalidExpire = (name: string): GokvError =>
  new GokvError('ERR', `ERR invalid expire time in '${name.toLowerCase()}' command`);

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. Expiry is stored absolute and shipped as `PEXPIREAT key ms`; a
 * time already past deletes the key and ships `DEL`. gokv also accepts durations with units
 * (`10s`, `1m30s`, `250ms`) for EXPIRE and PEXPIRE.
 */
export const EXPIRE_COMMANDS: readonly CommandSpec[] = [
  command('EXPIRE', -3, ['write'], (ctx) => expire(ctx, 'seconds')),
  command('PEXPIRE', -3, ['write'], (ctx) => expire(ctx, 'millis')),
  command('EXPIREAT', -3, ['write'], (ctx) => expire(ctx, 'atSeconds')),
  command('PEXPIREAT', -3, ['write'], (ctx) => expire(ctx, 'at')),
];

function expire(ctx: CommandContext, form: TtlForm): CommandResult {
  const { store, key } = ctx;
  // Redis reads the options before the time.
  const when = parseConditions(ctx.args.slice(1));
  const now = store.nowMs();
  const at = absoluteMs(ctx.args[0] ?? '', form, now, ctx.name);
  const e = store.get(key);
  if (e === undefined) return readOnly(0);
  const current = e.expireAtMs;
  // A key without a TTL counts as an infinite one for GT and LT.
  const refused =
    (when.has('NX') && current !== 0) ||
    (when.has('XX') && current === 0) ||
    (when.has('GT') && (current === 0 || at <= current)) ||
    (when.has('LT') && current !== 0 && at >= current);
  if (refused) return readOnly(0);
  // A past time deletes, as in Redis, except when applying a leader's effect: the leader judged
  // the time future, and the replica keeps the same state (its own expiry will follow).
  if (at <= now && ctx.version === undefined) {
    const version = store.delete(key)!;
    return written(1, { name: 'DEL', key, args: [], version });
  }
  if (at === current) return readOnly(1);
  store.setExpireAt(e, Math.max(at, 1)); // 0 would mean "no TTL"; any past time expires alike
  const version = store.commit(e, ctx.version);
  return written(1, { name: 'PEXPIREAT', key, args: [String(at)], version });
}

function parseConditions(words: readonly BinStr[]): Conditions {
  const seen = new Set<string>();
  for (const w of words) {
    const u = asciiUpper(w);
    if (u !== 'NX' && u !== 'XX' && u !== 'GT' && u !== 'LT') {
      throw new GokvError('ERR', `ERR Unsupported option ${printable(w)}`);
    }
    seen.add(u);
  }
  if (seen.has('NX') && seen.size > 1) {
    throw new GokvError(
      'ERR',
      'ERR NX and XX, GT or LT options at the same time are not compatible',
    );
  }
  if (seen.has('GT') && seen.has('LT')) {
    throw new GokvError('ERR', 'ERR GT and LT options at the same time are not compatible');
  }
  return seen;
}

/**
 * The absolute expiry in ms. Redis's overflow rules give `invalid expire time`; gokv also
 * refuses times beyond 2^53 ms (about 285,000 years) so the time survives a round trip as a
 * JS number.
 */
function absoluteMs(arg: BinStr, form: TtlForm, now: number, name: string): number {
  let ms = parseInt64(arg);
  if (ms !== undefined && (form === 'seconds' || form === 'atSeconds')) ms *= 1000n;
  else if (ms === undefined && (form === 'seconds' || form === 'millis')) ms = parseDurationMs(arg);
  if (ms === undefined) throw notInteger();
  const at = form === 'at' || form === 'atSeconds' ? ms : ms + BigInt(now);
  if (ms > INT64_MAX || ms < INT64_MIN || at > INT64_MAX) throw invalidExpire(name);
  if (at > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidExpire(name);
  // Far past times only need to compare as past.
  return at < -BigInt(Number.MAX_SAFE_INTEGER) ? -Number.MAX_SAFE_INTEGER : Number(at);
}
