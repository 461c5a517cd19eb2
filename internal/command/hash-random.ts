import type { Random } from '../clock/index.js';
import { GokvError, overLimit, syntaxError } from '../errors/index.js';
import type { HashEntry } from '../store/index.js';
import { INT64_MAX, asciiUpper, int64Arg } from './parse.js';
import type { BinStr, Reply } from './reply.js';
import { type CommandContext, type CommandSpec, command, readOnly } from './spec.js';

type Hash = HashEntry['value'];

// Redis checks counts against LONG_MAX; WITHVALUES halves the range so count * 2 cannot overflow.
const COUNT_RANGE_ERROR = `ERR value is out of range, value must between ${-INT64_MAX} and ${INT64_MAX}`;
const HALF_LONG_MAX = INT64_MAX / 2n;

/**
 * HRANDFIELD key [count [WITHVALUES]], as Redis 7.0: no count answers one field or nil; a
 * positive count answers that many distinct fields (the whole hash at most, in hash order); a
 * negative one answers |count| fields drawn independently, so they may repeat. WITHVALUES pairs
 * each field with its value as a two-item array ([[f, v], ...], RESP3's shape; resp/ flattens it
 * for RESP2 clients). Chance comes from the store's Random.
 *
 * Redis 7.0 starts building a reply for any negative count, 10^18 items if asked; gokv refuses
 * one over limits.max_args items before any work, and one over limits.max_message_bytes as it
 * grows, so a node never holds more than those limits allow for it.
 */
export const HASH_RANDOM_COMMANDS: readonly CommandSpec[] = [
  command('HRANDFIELD', -2, [], (ctx) => {
    const { random } = ctx.store;
    if (ctx.args.length === 0) {
      const h = ctx.store.getHash(ctx.key)?.value;
      return readOnly(h === undefined ? null : (h.fieldAt(random.int(h.size)) ?? null));
    }
    // As Redis: the count, then the syntax, then WITHVALUES' range, then the key's type.
    const count = int64Arg(ctx.args[0]!);
    if (count < -INT64_MAX) throw new GokvError('ERR', COUNT_RANGE_ERROR);
    if (ctx.args.length > 2 || (ctx.args.length === 2 && asciiUpper(ctx.args[1]!) !== 'WITHVALUES')) throw syntaxError();
    const withValues = ctx.args.length === 2;
    if (withValues && (count < -HALF_LONG_MAX || count > HALF_LONG_MAX)) throw new GokvError('ERR', 'ERR value is out of range');
    const h = ctx.store.getHash(ctx.key)?.value;
    if (h === undefined || count === 0n) return readOnly([]);
    if (count > 0n) return readOnly(distinct(h, count, withValues, random));
    return readOnly(repeated(ctx, h, Number(-count), withValues, random));
  }),
];

/** `count` distinct fields in hash order: all of them, or a sample by Floyd's algorithm. */
function distinct(h: Hash, count: bigint, withValues: boolean, random: Random): Reply[] {
  const size = h.size;
  const out: Reply[] = [];
  if (count >= BigInt(size)) {
    for (const [f, v] of h.entries()) out.push(withValues ? [f, v] : f);
    return out;
  }
  const k = Number(count);
  const chosen = new Set<number>();
  for (let j = size - k; j < size; j++) {
    const t = random.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const wanted = [...chosen].sort((a, b) => a - b);
  let at = 0;
  let next = 0;
  for (const [f, v] of h.entries()) {
    if (at++ !== wanted[next]) continue;
    out.push(withValues ? [f, v] : f);
    if (++next === wanted.length) break;
  }
  return out;
}

/**
 * `n` fields drawn with replacement. Refused (LIMIT) over limits.max_args items (a pair counts
 * two, as in RESP2) and over limits.max_message_bytes, counted as MessagePack writes them (each
 * string at least its bytes plus a two-byte header): checked as the reply grows, so a refused
 * one never holds more than those limits allow.
 */
function repeated(ctx: CommandContext, h: Hash, n: number, withValues: boolean, random: Random): Reply[] {
  if (ctx.maxArgs > 0 && (withValues ? 2 * n : n) > ctx.maxArgs) {
    // The count as given: past 2^53, n is rounded.
    throw overLimit(`value is out of range: HRANDFIELD count ${ctx.args[0]!} answers more items than limits.max_args (${ctx.maxArgs})`);
  }
  const flat: readonly BinStr[] = h.toFlat();
  const size = flat.length / 2;
  const out: Reply[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const p = 2 * random.int(size);
    const f = flat[p]!;
    bytes += f.length + 2 + (withValues ? flat[p + 1]!.length + 3 : 0);
    if (ctx.maxReplyBytes > 0 && bytes > ctx.maxReplyBytes) {
      throw overLimit(`value is out of range: HRANDFIELD's reply would exceed limits.max_message_bytes (${ctx.maxReplyBytes})`);
    }
    out.push(withValues ? [f, flat[p + 1]!] : f);
  }
  return out;
}
