import { describe, expect, it } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { byteRange } from './string-range.js';
import { exec, replies, reply } from './testing/run.js';

const T0 = 1_700_000_000_000;
const WRONGTYPE = 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERROR ERR value is not an integer or out of range';
const OFFSET = 'ERROR ERR offset is out of range';
const TOO_BIG = 'ERROR ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const arity = (cmd: string): string => `ERROR ERR wrong number of arguments for '${cmd}' command`;
const MAX = '9223372036854775807';
const MIN = '-9223372036854775808';

// Rows probed on redis-server 7.0.15 with redis-cli; the differential test compares the rest.
describe('GETRANGE and SUBSTR', () => {
  it.each([
    ['the whole string', 'GETRANGE s 0 -1', 'hello'],
    ['one byte', 'GETRANGE s 0 0', 'h'],
    ['a middle range', 'GETRANGE s 1 3', 'ell'],
    ['negative indexes count from the end', 'GETRANGE s -3 -1', 'llo'],
    ['negative start past end is empty', 'GETRANGE s -1 -5', ''],
    ['both before the start clamp to the first byte (Redis 7.0)', 'GETRANGE s -100 -50', 'h'],
    ['an end before the start clamps to the first byte', 'GETRANGE s 0 -100', 'h'],
    ['start past the end is empty', 'GETRANGE s 5 10', ''],
    ['end past the end is clamped', 'GETRANGE s 4 10', 'o'],
    ['start > end is empty', 'GETRANGE s 3 1', ''],
    ['the int64 extremes', `GETRANGE s ${MIN} ${MAX}`, 'hello'],
    ['the int64 extremes reversed', `GETRANGE s ${MAX} ${MIN}`, ''],
    // Both round to -2^63 as doubles: compared exactly, start > end.
    ['two negatives a unit apart past 2^53', `GETRANGE s -9223372036854775807 ${MIN}`, ''],
    ['SUBSTR is GETRANGE', 'SUBSTR s 1 3', 'ell'],
    ['past int64', 'GETRANGE s 9223372036854775808 1', NOT_INT],
    ['a non-integer end', 'GETRANGE s 0 y', NOT_INT],
    ['a leading zero', 'GETRANGE s 01 2', NOT_INT],
    ['minus zero', 'GETRANGE s -0 2', NOT_INT],
    ['a missing key is an empty string', 'GETRANGE nope 0 -1', ''],
    ['a missing key still checks its arguments', 'GETRANGE nope x -1', NOT_INT],
    ['an empty string', 'GETRANGE e -1 0', ''],
    ['a hash is WRONGTYPE', 'GETRANGE h 0 -1', WRONGTYPE],
    ['arguments before the type', 'GETRANGE h x -1', NOT_INT],
    ['a list is WRONGTYPE', 'SUBSTR l 0 1', WRONGTYPE],
    ['too few arguments', 'GETRANGE s 0', arity('getrange')],
    ['too many arguments', 'GETRANGE s 0 1 2', arity('getrange')],
    ['SUBSTR arity names SUBSTR', 'SUBSTR s 1', arity('substr')],
  ])('%s', (_name, line, expected) => {
    const { store } = makeStore();
    replies(store, ['SET s hello', 'HSET h f v', 'RPUSH l a']);
    executeCommand(store, { name: 'SET', key: 'e', args: [''] });
    expect(reply(store, line)).toEqual(expected);
  });

  it('answers bytes, not characters, and ships nothing', () => {
    const { store } = makeStore();
    executeCommand(store, { name: 'SET', key: 'b', args: ['\xff\x00\xc3\xa9z'] });
    expect(executeCommand(store, { name: 'GETRANGE', key: 'b', args: ['1', '3'] })).toEqual({ reply: '\x00\xc3\xa9' });
  });

  it('agrees with a plain slice for every small range', () => {
    // Redis's rule restated: clamp both ends into [0, len - 1] unless both are negative and out of order.
    const text = 'abcdef';
    for (let s = -9; s <= 9; s++) {
      for (let e = -9; e <= 9; e++) {
        const from = Math.max(0, s < 0 ? text.length + s : s);
        const to = Math.min(text.length - 1, Math.max(0, e < 0 ? text.length + e : e));
        const want = s < 0 && e < 0 && s > e ? '' : text.slice(from, to + 1);
        expect(byteRange(text, BigInt(s), BigInt(e)), `${s} ${e}`).toBe(want);
      }
    }
  });
});

describe('SETRANGE', () => {
  it.each([
    ['creates a key', [], 'SETRANGE k 0 abc', 3, 'abc'],
    ['zero-pads a new key', [], 'SETRANGE k 2 ab', 4, '\0\0ab'],
    ['zero-pads past the end', ['SET k abc'], 'SETRANGE k 5 xy', 7, 'abc\0\0xy'],
    ['overwrites inside', ['SET k abcdef'], 'SETRANGE k 1 ZZ', 6, 'aZZdef'],
    ['overwrites across the end', ['SET k abc'], 'SETRANGE k 2 XYZ', 5, 'abXYZ'],
    ['appends at the end', ['SET k abc'], 'SETRANGE k 3 d', 4, 'abcd'],
    ['overwrites a number', ['SET k 12345'], 'SETRANGE k 2 x', 5, '12x45'],
    ['overwrites the first byte', ['SET k abc'], 'SETRANGE k 0 X', 3, 'Xbc'],
  ])('%s', (_name, setup, line, length, value) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toBe(length);
    expect(reply(store, 'GET k')).toBe(value);
  });

  it.each([
    ['a negative offset', [], 'SETRANGE k -1 a', OFFSET],
    ['a negative offset with an empty value', [], ['SETRANGE', 'k', '-1', ''], OFFSET],
    ['a negative offset before the type', ['HSET k f v'], 'SETRANGE k -1 a', OFFSET],
    ['a non-integer offset', [], 'SETRANGE k x a', NOT_INT],
    ['an offset past int64', [], 'SETRANGE k 9223372036854775808 a', NOT_INT],
    ['an offset with a plus sign', [], 'SETRANGE k +1 a', NOT_INT],
    ['a hash is WRONGTYPE', ['HSET k f v'], 'SETRANGE k 0 a', WRONGTYPE],
    ['a hash is WRONGTYPE even for an empty value', ['HSET k f v'], ['SETRANGE', 'k', '0', ''], WRONGTYPE],
    ['WRONGTYPE before the size', ['HSET k f v'], 'SETRANGE k 536870912 a', WRONGTYPE],
    ['past 512 MB', [], 'SETRANGE k 536870912 a', TOO_BIG],
    ['past 512 MB by the value', [], 'SETRANGE k 536870911 ab', TOO_BIG],
    ['at the int64 maximum', ['SET k v'], `SETRANGE k ${MAX} a`, TOO_BIG],
    ['an empty value on a missing key', [], ['SETRANGE', 'k', '3', ''], 0],
    ['an empty value at any offset on a missing key', [], ['SETRANGE', 'k', MAX, ''], 0],
    ['an empty value on a key answers its length', ['SET k abc'], ['SETRANGE', 'k', '536870912', ''], 3],
    ['too few arguments', [], 'SETRANGE k 0', arity('setrange')],
    ['too many arguments', [], 'SETRANGE k 0 a b', arity('setrange')],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    const request = typeof line === 'string' ? line : undefined;
    const got = request !== undefined ? reply(store, request) : run(store, line as string[]);
    expect(got).toEqual(expected);
  });

  it('creates nothing and ships nothing for an empty value', () => {
    const { store } = makeStore();
    expect(executeCommand(store, { name: 'SETRANGE', key: 'k', args: ['3', ''] })).toEqual({ reply: 0 });
    expect(reply(store, 'EXISTS k')).toBe(0);
    exec(store, 'SET k abc EX 100');
    const version = store.versionOf('k');
    expect(executeCommand(store, { name: 'SETRANGE', key: 'k', args: ['9', ''] })).toEqual({ reply: 3 });
    expect(store.versionOf('k')).toBe(version);
    expect(reply(store, 'GET k')).toBe('abc');
  });

  it('keeps the TTL and ships itself', () => {
    const { store } = makeStore();
    exec(store, 'SET k hello PX 4000');
    expect(exec(store, 'SETRANGE k 1 a').effect).toMatchObject({ name: 'SETRANGE', key: 'k', args: ['1', 'a'] });
    expect(reply(store, 'PTTL k')).toBe(4000);
    expect(store.peek('k')?.expireAtMs).toBe(T0 + 4000);
  });

  it('ships nothing when the bytes are already there', () => {
    const { store } = makeStore();
    exec(store, 'SET k hello');
    const version = store.versionOf('k');
    expect(exec(store, 'SETRANGE k 1 ell')).toEqual({ reply: 5 });
    expect(store.versionOf('k')).toBe(version);
  });

  it('respects limits.max_value_bytes as APPEND does', () => {
    const { store } = makeStore();
    const limits = { maxArgs: 0, maxValueBytes: 16 };
    exec(store, 'SET k abc', { limits });
    expect(reply(store, 'SETRANGE k 15 xy', { limits })).toBe('ERROR ERR string exceeds maximum allowed size (limits.max_value_bytes)');
    expect(reply(store, 'GET k')).toBe('abc');
    expect(reply(store, 'SETRANGE k 14 xy', { limits })).toBe(16);
    // Redis's own ceiling comes first.
    expect(reply(store, 'SETRANGE k 536870912 a', { limits })).toBe(TOO_BIG);
  });

  it('refuses a value longer than a JS string can be, within 512 MB, without allocating it', () => {
    const { store } = makeStore();
    expect(reply(store, 'SETRANGE k 536870900 a')).toMatch(/^ERROR ERR string exceeds maximum allowed size \(\d+ bytes in this process\)$/);
    expect(reply(store, 'EXISTS k')).toBe(0);
  });

  it('a replica replaying the effect holds the same bytes, TTL and version', () => {
    const leader = makeStore();
    const replica = makeStore();
    const ship = (line: string) => {
      const { effect } = exec(leader.store, line);
      if (effect !== undefined) executeCommand(replica.store, effect, { version: effect.version });
    };
    ship('SET k hello PX 9000');
    ship('SETRANGE k 8 \xff\x00');
    ship('SETRANGE k 0 J');
    ship('SETRANGE n 3 x');
    for (const key of ['k', 'n']) expect(replica.store.exportKey(key)).toEqual(leader.store.exportKey(key));
    expect(replica.store.exportKey('k')).toMatchObject({ value: ['Jello\0\0\0\xff\x00'], expireAtMs: T0 + 9000 });
  });
});

function run(store: ReturnType<typeof makeStore>['store'], argv: string[]): unknown {
  const [name = '', key = '', ...args] = argv;
  try {
    return executeCommand(store, { name, key, args }).reply;
  } catch (err) {
    return `ERROR ${(err as Error).message}`;
  }
}
