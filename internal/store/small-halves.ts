/**
 * A whole number of magnitude below 2^53 kept as two V8 small integers, high * LOW_SPAN + low.
 * A millisecond time or a version is too large for a small integer, and a number field that
 * ever holds one becomes a 16 B heap number per object (on every object of the shape, once one
 * of them stores it). Two int32-typed halves cost nothing more than the fields themselves.
 */
export const LOW_SPAN = 2 ** 26;

/** The high half of `v` (within +-2^27); `| 0` keeps it int32-typed. */
export const highOf = (v: number): number => Math.floor(v / LOW_SPAN) | 0;

/** The low half of `v` given its high half, in [0, LOW_SPAN). */
export const lowOf = (v: number, high: number): number => (v - high * LOW_SPAN) | 0;

/** The number two halves stand for. */
export const joinHalves = (high: number, low: number): number => high * LOW_SPAN + low;
