import { describe, expect, it } from 'vitest';
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from './long-double.js';

/** a + b + ... as INCRBYFLOAT stores it, each step re-read from its text as Redis does. */
function incrementsOf(...steps: string[]): string {
  let text = '0';
  for (const step of steps) {
    const sum = addLongDouble(parseLongDouble(text)!, parseLongDouble(step)!);
    if (sum === undefined) return 'NaN or Infinity';
    text = formatLongDouble(sum);
  }
  return text;
}

// Expected texts are redis-server 7.0.15's replies to the same INCRBYFLOAT sequences (x86-64).
describe('long double arithmetic as Redis stores it', () => {
  it.each([
    [['0.1', '0.2'], '0.3'],
    [['0.1', '0.2', '1e3'], '1000.29999999999999999'],
    [['0.1', '0.2', '1e3', '0x10'], '1016.29999999999999999'],
    [['0.1', '0.2', '1e3', '0x10', '-1e-20'], '1016.29999999999999999'],
    [['1.', '.5', '+1'], '2.5'],
    [['5.0e3', '-5000'], '0'],
    [['10.5', '-10.5'], '0'],
    [['1e-30'], '0'],
    [['-0'], '0'],
    [['0x1p-3', '0X.8', '1E2'], '100.625'],
    [['3.0000000000000000000001'], '3'],
    [['9223372036854775807', '1'], '9223372036854775808'],
    [['1e300'], '1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144'],
    [['1', 'inf'], 'NaN or Infinity'],
    [['-INF'], 'NaN or Infinity'],
  ])('%j gives %s', (steps, expected) => {
    expect(incrementsOf(...steps)).toBe(expected);
  });

  it.each(['', 'nan', 'NaN', 'abc', '1e', '1e+', '.', '0x', '0xg', ' 1', '1 ', '1e5000', '1e-5000', '0x1p', '--1'])('refuses %j as strtold does for Redis', (text) => {
    expect(parseLongDouble(text)).toBeUndefined();
  });

  it('rounds a sum to a 64-bit significand, half to even', () => {
    const one: LongDouble = { neg: false, m: 1n, e: 0 };
    const tieDown: LongDouble = { neg: false, m: 1n, e: -64 }; // 2^-64: half an ulp of 1
    const sum = addLongDouble(one, tieDown)!;
    expect(sum).toEqual({ neg: false, m: 1n << 63n, e: -63 }); // the tie goes to the even 1
    const above: LongDouble = { neg: false, m: 3n, e: -65 }; // 1.5 * 2^-64: more than half
    expect(addLongDouble(one, above)).toEqual({ neg: false, m: (1n << 63n) + 1n, e: -63 });
  });
});
