/**
 * INCRBYFLOAT's arithmetic as Redis does it on x86-64: C `long double` (x87 80-bit: a 64-bit
 * significand, binary exponent from -16382), strtold's parsing, and `%.17Lf` with trailing zeros
 * cut for the stored text. JS numbers (53-bit) would print other digits ("0.30000000000000004"
 * where Redis stores "0.3"), so values are exact BigInt significands here, rounded to 64 bits
 * half-to-even as the FPU rounds them.
 */

/** A finite long double: (-1)^neg * m * 2^e with m < 2^64 (m = 0 for zero); or an infinity. */
export type LongDouble = { readonly neg: boolean; readonly m: bigint; readonly e: number } | { readonly inf: true; readonly neg: boolean };

/** +0, what INCRBYFLOAT adds to when the key or field is missing. */
export const ZERO_LONG_DOUBLE: LongDouble = { neg: false, m: 0n, e: 0 };

const BITS = 64;
/** Smallest exponent of a significand's last bit: subnormals end at 2^-16445. */
const MIN_E = -16445;
/** An m * 2^e with m of 64 bits beyond this is past LDBL_MAX (about 1.19e4932). */
const MAX_E = 16384 - BITS;
/** strtold's input is bounded by Redis (MAX_LONG_DOUBLE_CHARS). */
const MAX_CHARS = 5 * 1024;

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/**
 * num / den (num >= 0, den > 0) as m * 2^e with m < 2^64, rounded half to even; undefined when
 * it overflows LDBL_MAX. Below the smallest subnormal it rounds to 0.
 */
function roundRatio(neg: boolean, num: bigint, den: bigint): LongDouble | undefined {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // Choose e so that q = num / (den * 2^e) has BITS + 2 bits before rounding.
  let e = bitLength(num) - bitLength(den) - (BITS + 2);
  if (e < MIN_E) e = MIN_E;
  const scaledNum = e < 0 ? num << BigInt(-e) : num;
  const scaledDen = e > 0 ? den << BigInt(e) : den;
  let q = scaledNum / scaledDen;
  const sticky = scaledNum % scaledDen !== 0n;
  // Drop bits beyond 64 (or beyond the subnormal floor) with round half to even.
  const extra = Math.max(0, bitLength(q) - BITS);
  if (extra > 0) {
    const dropped = q & ((1n << BigInt(extra)) - 1n);
    const half = 1n << BigInt(extra - 1);
    q >>= BigInt(extra);
    e += extra;
    if (dropped > half || (dropped === half && (sticky || (q & 1n) === 1n))) q += 1n;
    if (bitLength(q) > BITS) {
      q >>= 1n;
      e += 1;
    }
  }
  if (e > MAX_E) return undefined;
  return { neg, m: q, e };
}

/**
 * strtold as Redis's string2ld uses it: decimal (`1`, `-1.5e3`, `.5`, `1.`), hexadecimal
 * (`0x10`, `0x1.8p3`) and `inf`/`infinity`, the whole string and nothing else; NaN, overflow and
 * underflow to zero are refused (undefined), as Redis refuses them.
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  if (text.length === 0 || text.length >= MAX_CHARS) return undefined;
  const inf = /^([+-]?)inf(inity)?$/i.exec(text);
  if (inf) return { inf: true, neg: inf[1] === '-' };
  const hex = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(text);
  if (hex) {
    const [, sign, whole = '', frac = '', exp = '0'] = hex;
    if (whole === '' && frac === '') return undefined;
    const digits = BigInt(`0x${whole}${frac}`);
    const e2 = Number(exp) - 4 * frac.length;
    if (!Number.isSafeInteger(e2) || Math.abs(e2) > 40_000) return digits === 0n ? { neg: sign === '-', m: 0n, e: 0 } : undefined;
    const r = e2 >= 0 ? roundRatio(sign === '-', digits << BigInt(e2), 1n) : roundRatio(sign === '-', digits, 1n << BigInt(-e2));
    return r !== undefined && (r as { m: bigint }).m === 0n && digits !== 0n ? undefined : r;
  }
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!dec) return undefined;
  const [, sign, whole = '', frac = '', exp = '0'] = dec;
  if (whole === '' && frac === '') return undefined;
  const digits = BigInt(`${whole}${frac}` || '0');
  const e10 = Number(exp) - frac.length;
  if (digits === 0n) return { neg: sign === '-', m: 0n, e: 0 };
  // Past about 10^±5000 the value is surely outside the long double range.
  if (!Number.isSafeInteger(e10) || e10 + `${digits}`.length > 5000) return undefined;
  if (e10 + `${digits}`.length < -5000) return undefined;
  const r = e10 >= 0 ? roundRatio(sign === '-', digits * 10n ** BigInt(e10), 1n) : roundRatio(sign === '-', digits, 10n ** BigInt(-e10));
  // Underflow to zero is ERANGE with a zero result: refused.
  return r !== undefined && (r as { m: bigint }).m === 0n ? undefined : r;
}

/** a + b rounded to a long double; undefined for a NaN or infinite result. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if ('inf' in a || 'inf' in b) return undefined; // inf + x is inf, inf - inf NaN: both refused
  const e = Math.min(a.e, b.e);
  const signed = (x: { neg: boolean; m: bigint; e: number }) => (x.neg ? -1n : 1n) * (x.m << BigInt(x.e - e));
  const sum = signed(a) + signed(b);
  // An exact zero sum is +0 (round to nearest), as in C.
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  return e >= 0 ? roundRatio(neg, abs << BigInt(e), 1n) : roundRatio(neg, abs, 1n << BigInt(-e));
}

/** `%.17Lf` with trailing zeros (and a bare point) cut, and "-0" as "0": Redis's LD_STR_HUMAN. */
export function formatLongDouble(x: LongDouble): string {
  if ('inf' in x) return x.neg ? '-inf' : 'inf';
  const scale = 10n ** 17n;
  let whole: bigint;
  let frac: bigint;
  if (x.e >= 0) {
    whole = x.m << BigInt(x.e);
    frac = 0n;
  } else {
    const k = BigInt(-x.e);
    whole = x.m >> k;
    const rest = x.m - (whole << k);
    // The 17 decimals, rounded half to even on the exact binary value (as glibc's printf).
    const scaled = rest * scale;
    frac = scaled >> k;
    const dropped = scaled - (frac << k);
    const half = 1n << (k - 1n);
    if (dropped > half || (dropped === half && (frac & 1n) === 1n)) frac += 1n;
    if (frac === scale) {
      frac = 0n;
      whole += 1n;
    }
  }
  let text = `${whole}.${frac.toString().padStart(17, '0')}`.replace(/0+$/, '').replace(/\.$/, '');
  if (x.neg) text = `-${text}`;
  return text === '-0' ? '0' : text;
}
