import { binToText } from '../store/index.js';
import type { BinStr } from './reply.js';

// Nanoseconds per unit, as Go's time.ParseDuration spells them (both micro signs accepted).
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/**
 * Longest duration text read. Go's longest duration, `2562047h47m16.854775807s`, is 24 bytes;
 * anything much longer only pads digits. Reading one of limits.max_value_bytes (16 MB) whole
 * cost seconds of BigInt work on the event loop, for an argument Redis refuses at once.
 */
const MAX_DURATION_BYTES = 64;

// One "<number><unit>" part; `ms` is tried before `m` and `s`, so "1m30s" and "10ms" both read.
const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * A duration with units (`10s`, `1m30s`, `250ms`, `1.5s`, `-2h`) in milliseconds, rounded up
 * (away from zero) to whole ms so a positive duration never means "already expired".
 * Undefined unless the whole text is a duration; a unit is required. Undefined too past
 * MAX_DURATION_BYTES (the caller's "not an integer or out of range").
 */
export function parseDurationMs(arg: BinStr): bigint | undefined {
  if (arg.length > MAX_DURATION_BYTES) return undefined;
  const text = binToText(arg);
  let i = 0;
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text.startsWith('-');
    i = 1;
  }
  if (i >= text.length) return undefined;
  let ns = 0n;
  while (i < text.length) {
    PART.lastIndex = i;
    const m = PART.exec(text);
    if (m === null) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2] ?? '';
    const unit = UNIT_NS[m[3] ?? ''];
    if ((whole === '' && frac === '') || unit === undefined) return undefined;
    ns += BigInt(whole === '' ? '0' : whole) * unit;
    if (frac !== '') ns += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    i += m[0].length;
  }
  const ms = (ns + 999_999n) / 1_000_000n;
  return negative ? -ms : ms;
}
