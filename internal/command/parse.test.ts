import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';
import { asciiUpper, intArg, intReply, parseInt64, positiveCountArg } from './parse.js';

describe('parseInt64 (Redis string2ll)', () => {
  it.each([
    ['zero', '0', 0n],
    ['positive', '42', 42n],
    ['negative', '-7', -7n],
    ['int64 max', '9223372036854775807', 9223372036854775807n],
    ['int64 min', '-9223372036854775808', -9223372036854775808n],
    ['past int64 max', '9223372036854775808', undefined],
    ['leading zero', '01', undefined],
    ['negative zero', '-0', undefined],
    ['plus sign', '+1', undefined],
    ['space', ' 1', undefined],
    ['decimal point', '1.0', undefined],
    ['empty', '', undefined],
    ['letters', '12a', undefined],
    ['lone minus', '-', undefined],
  ])('%s: %j', (_name, text, expected) => {
    expect(parseInt64(text)).toBe(expected);
  });

  it('intArg throws Redis\'s integer error', () => {
    expect(intArg('-3')).toBe(-3);
    expect(intArg('99999999999999999')).toBe(99999999999999999);
    expect(() => intArg('x')).toThrow('ERR value is not an integer or out of range');
  });

  it.each([['-1'], ['x'], ['1.5'], ['99999999999999999999']])('positiveCountArg refuses %j', (text) => {
    expect(() => positiveCountArg(text)).toThrow('ERR value is out of range, must be positive');
  });

  it('intReply keeps numbers while exact and uses bigint beyond', () => {
    expect(intReply(5n)).toBe(5);
    expect(intReply(2n ** 60n)).toBe(2n ** 60n);
  });

  it('asciiUpper folds ASCII only', () => {
    expect(asciiUpper('hSet')).toBe('HSET');
    expect(asciiUpper('ſcan')).toBe('ſCAN');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['seconds', '10s', 10_000n],
    ['minutes and seconds', '1m30s', 90_000n],
    ['milliseconds', '250ms', 250n],
    ['fractional seconds', '1.5s', 1500n],
    ['fraction without leading digit', '.5s', 500n],
    ['hours', '2h', 7_200_000n],
    ['every unit', '1h1m1s1ms1000us', 3_661_002n],
    ['micro sign', '1500µs', 2n],
    ['greek mu', '1000μs', 1n],
    ['nanoseconds round up to a whole ms', '1ns', 1n],
    ['exact decimals stay exact', '0.3s', 300n],
    ['negative', '-1s', -1000n],
    ['zero', '0s', 0n],
  ])('%s: %s', (_name, text, ms) => {
    // The input is a binary string: the UTF-8 bytes of the text.
    expect(parseDurationMs(Buffer.from(text, 'utf8').toString('latin1'))).toBe(ms);
  });

  it.each([['10'], ['s'], ['1x'], ['1.5'], ['-'], [''], ['1s '], ['1 s'], ['.s']])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it.each([
    ['a fraction of a million digits', `0.${'1'.repeat(1_000_000)}s`],
    ['a whole part of a million digits', `${'1'.repeat(1_000_000)}s`],
    ['half a million parts', '1h'.repeat(500_000)],
    ['65 bytes of leading zeros and a second', `${'0'.repeat(63)}1s`],
  ])('refuses a duration longer than any real one, without reading it (%s)', (_name, text) => {
    // Read whole, a 16 MB one (limits.max_value_bytes) took BigInt work of seconds on the event loop.
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it('still reads the longest Go duration', () => {
    expect(parseDurationMs('2562047h47m16.854775807s')).toBe(9_223_372_036_855n);
  });
});
