import { GokvError, notInteger } from '../errors/index.js';
import type { BinStr } from './reply.js';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// Redis's string2ll: optional '-', no '+', no spaces, no leading zeros ("0" alone, never "-0").
const INT_SHAPE = /^(?:0|-?[1-9][0-9]{0,18})$/;
// Up to 15 digits always fits a double exactly, so the common case skips BigInt.
const SHORT_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;

/** A signed 64-bit integer in Redis's strict form, or undefined. */
export function parseInt64(s: BinStr): bigint | undefined {
  if (!INT_SHAPE.test(s)) return undefined;
  const v = BigInt(s);
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/**
 * A signed 64-bit argument, exact (GETRANGE compares two before clamping). Throws
 * `ERR value is not an integer or out of range`.
 */
export function int64Arg(s: BinStr): bigint {
  const v = parseInt64(s);
  if (v === undefined) throw notInteger();
  return v;
}

/**
 * An integer argument (index, count) as a number; beyond 2^53 it is rounded, which only matters
 * for clamping. Throws `ERR value is not an integer or out of range`.
 */
export function intArg(s: BinStr): number {
  if (SHORT_INT.test(s)) return Number(s);
  const v = parseInt64(s);
  if (v === undefined) throw notInteger();
  return Number(v);
}

/** LPOP/RPOP's count: Redis answers any bad or negative value with this one message. */
export function positiveCountArg(s: BinStr): number {
  const v = SHORT_INT.test(s) ? Number(s) : parseInt64(s);
  if (v === undefined || v < 0) {
    throw new GokvError('ERR', 'ERR value is out of range, must be positive');
  }
  return Number(v);
}

/** A 64-bit integer reply: a number while exact, else a bigint. */
export function intReply(v: bigint): number | bigint {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/**
 * ASCII-only upper case for command names and option words (`nx`, `Match`): Unicode folding
 * would let `ſcan` (long s) pass for SCAN.
 */
export const asciiUpper = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
