import { GokvError } from '../errors/index.js';
import { MAX_BIN_LENGTH } from '../store/index.js';
import { int64Arg } from './parse.js';
import type { BinStr } from './reply.js';
import { type CommandContext, type CommandResult, type CommandSpec, command, readOnly, sameEffect, written } from './spec.js';
import { checkSize } from './string.js';

/** Redis's proto-max-bulk-len default (512 MB): SETRANGE refuses to reach past it. */
export const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/**
 * Byte ranges of strings, as Redis 7.0 answers them. Both check their integer arguments before
 * the key's type, as Redis does. SETRANGE ships as itself, as APPEND does: its result depends
 * only on the value it starts from, and replicas apply an effect only on the exact version the
 * leader held (replication's prev_version rule), so the replica starts from the same bytes; the
 * key keeps its TTL on both.
 */
export const STRING_RANGE_COMMANDS: readonly CommandSpec[] = [
  command('GETRANGE', 4, [], getRange),
  // GETRANGE's name before Redis 2.4, still accepted by Redis 7.0.
  command('SUBSTR', 4, [], getRange),

  command('SETRANGE', 4, ['write', 'denyOom'], (ctx) => {
    const offset = int64Arg(ctx.args[0]!);
    const value = ctx.args[1]!;
    if (offset < 0n) throw new GokvError('ERR', 'ERR offset is out of range');
    const e = ctx.store.stringForWrite(ctx.key);
    const exists = e.version !== 0;
    // Writing nothing changes nothing: a missing key stays missing, whatever the offset.
    if (value === '') return readOnly(exists ? e.value.length : 0);
    const end = offset + BigInt(value.length);
    if (end > BigInt(PROTO_MAX_BULK_LEN)) {
      throw new GokvError('ERR', 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    }
    checkSize(ctx, Number(end));
    if (Number(end) > MAX_BIN_LENGTH) {
      throw new GokvError('LIMIT', `ERR string exceeds maximum allowed size (${MAX_BIN_LENGTH} bytes in this process)`);
    }
    const next = overwrite(e.value.text, Number(offset), value);
    // The same bytes again: nothing to ship (a replica applies every effect it gets).
    if (!e.value.set(next) && exists && ctx.version === undefined) return readOnly(next.length);
    return written(next.length, sameEffect(ctx, ctx.store.commit(e, ctx.version)));
  }),
];

function getRange(ctx: CommandContext): CommandResult {
  const start = int64Arg(ctx.args[0]!);
  const end = int64Arg(ctx.args[1]!);
  const text = ctx.store.getString(ctx.key)?.value.text ?? '';
  return readOnly(byteRange(text, start, end));
}

/**
 * Redis 7.0's getrangeCommand: negative indexes count from the end and are clamped to 0 (so
 * `-100 -50` on "hello" is "h"), the end is clamped to the last byte, and start > end is "".
 */
export function byteRange(text: BinStr, start: bigint, end: bigint): BinStr {
  if (start < 0n && end < 0n && start > end) return '';
  const length = text.length;
  // Past 2^53 a number is rounded, but only where it is clamped to 0 or past the end anyway.
  let from = Number(start);
  let to = Number(end);
  if (from < 0) from = Math.max(0, length + from);
  if (to < 0) to = Math.max(0, length + to);
  if (to >= length) to = length - 1;
  return from > to || length === 0 ? '' : text.slice(from, to + 1);
}

/** `value` written over `text` at `offset`, zero bytes filling any gap past its end. */
function overwrite(text: BinStr, offset: number, value: BinStr): BinStr {
  if (offset > text.length) return text + '\0'.repeat(offset - text.length) + value;
  return text.slice(0, offset) + value + text.slice(offset + value.length);
}
