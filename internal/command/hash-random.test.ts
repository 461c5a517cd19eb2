import { describe, expect, it } from 'vitest';
import { isGokvError } from '../errors/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import type { Reply } from './reply.js';
import type { CommandLimits } from './spec.js';
import { exec, reply } from './testing/run.js';

const WRONGTYPE = 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERROR ERR value is not an integer or out of range';
const SYNTAX = 'ERROR ERR syntax error';
const RANGE = 'ERROR ERR value is out of range';
const LONG_RANGE = 'ERROR ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const HALF = '4611686018427387903';

/** A store holding `h` with `n` fields f0..f(n-1) (values v0..), a string `s` and a list `l`. */
function setup(n: number, seed = 7) {
  const fixture = makeStore({}, seed);
  const args = Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat();
  if (n > 0) executeCommand(fixture.store, { name: 'HSET', key: 'h', args });
  exec(fixture.store, 'SET s x');
  exec(fixture.store, 'RPUSH l a');
  return fixture;
}

const fieldsOf = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
const run = (store: ReturnType<typeof makeStore>['store'], line: string, limits?: CommandLimits): Reply => exec(store, line, { limits }).reply;

// Error rows probed on redis-server 7.0.15: the count, then the syntax, then WITHVALUES' range,
// then the key's type; a missing key answers nil (no count) or an empty array.
describe('HRANDFIELD replies and errors', () => {
  it.each([
    ['a missing key without a count is nil', 'HRANDFIELD nope', null],
    ['a missing key with a count is an empty array', 'HRANDFIELD nope 5', []],
    ['a missing key with a negative count is an empty array', 'HRANDFIELD nope -9223372036854775807', []],
    ['a missing key WITHVALUES is an empty array', 'HRANDFIELD nope 5 WITHVALUES', []],
    ['count 0 is an empty array', 'HRANDFIELD h 0', []],
    ['count 0 WITHVALUES is an empty array', 'HRANDFIELD h 0 WITHVALUES', []],
    ['a count past the hash answers it whole, in order', 'HRANDFIELD h 9223372036854775807', ['f0', 'f1', 'f2']],
    ['the largest WITHVALUES count answers it whole', `HRANDFIELD h ${HALF} withvalues`, [['f0', 'v0'], ['f1', 'v1'], ['f2', 'v2']]],
    ['a string is WRONGTYPE', 'HRANDFIELD s', WRONGTYPE],
    ['a string is WRONGTYPE with count 0', 'HRANDFIELD s 0', WRONGTYPE],
    ['a list is WRONGTYPE with a count', 'HRANDFIELD l -1', WRONGTYPE],
    ['a non-integer count', 'HRANDFIELD h x', NOT_INT],
    ['a non-integer count before the type', 'HRANDFIELD s x', NOT_INT],
    ['a float count', 'HRANDFIELD h 1.5', NOT_INT],
    ['minus zero', 'HRANDFIELD h -0', NOT_INT],
    ['a count past int64', 'HRANDFIELD h 9223372036854775808', NOT_INT],
    ['int64 min is outside -LONG_MAX..LONG_MAX', 'HRANDFIELD h -9223372036854775808', LONG_RANGE],
    ['the count before the syntax', 'HRANDFIELD h -9223372036854775808 BAD', LONG_RANGE],
    ['a bad count before the syntax', 'HRANDFIELD h x BAD', NOT_INT],
    ['a word other than WITHVALUES', 'HRANDFIELD h 1 BAD', SYNTAX],
    ['an extra argument', 'HRANDFIELD h 1 WITHVALUES x', SYNTAX],
    ['the syntax before the type', 'HRANDFIELD s 1 BAD', SYNTAX],
    ['the syntax on a missing key', 'HRANDFIELD nope 5 BAD', SYNTAX],
    ['WITHVALUES above LONG_MAX / 2', 'HRANDFIELD h 4611686018427387904 WITHVALUES', RANGE],
    ['WITHVALUES below -LONG_MAX / 2', 'HRANDFIELD h -4611686018427387904 WITHVALUES', RANGE],
    ['WITHVALUES range before the type', 'HRANDFIELD s 9223372036854775807 WITHVALUES', RANGE],
    ['WITHVALUES range on a missing key', 'HRANDFIELD nope 9223372036854775807 WITHVALUES', RANGE],
    ['no key', 'HRANDFIELD', "ERROR ERR wrong number of arguments for 'hrandfield' command"],
  ])('%s', (_name, line, expected) => {
    const { store } = setup(3);
    expect(reply(store, line)).toEqual(expected);
  });

  it('is a read: no effect, no new version', () => {
    const { store } = setup(3);
    const version = store.versionOf('h');
    for (const line of ['HRANDFIELD h', 'HRANDFIELD h 2', 'HRANDFIELD h -5 WITHVALUES']) expect(exec(store, line).effect).toBeUndefined();
    expect(store.versionOf('h')).toBe(version);
  });

  it('draws from the store\'s Random, so one seed repeats the same answers', () => {
    const answers = (seed: number) => {
      const { store } = setup(20, seed);
      return ['HRANDFIELD h', 'HRANDFIELD h 5', 'HRANDFIELD h -5 WITHVALUES'].map((l) => run(store, l));
    };
    expect(answers(3)).toEqual(answers(3));
    expect(answers(3)).not.toEqual(answers(4));
  });
});

// Properties over many draws, on a small hash (its flat form) and a large one (a Map).
describe.each([[5], [40]])('HRANDFIELD on a hash of %i fields', (size) => {
  const all = fieldsOf(size);

  it('without a count answers one of its fields, and each of them in time', () => {
    const { store } = setup(size);
    const seen = new Set<Reply>();
    for (let i = 0; i < 50 * size; i++) {
      const f = run(store, 'HRANDFIELD h');
      expect(all).toContain(f);
      seen.add(f);
    }
    expect(seen.size).toBe(size);
  });

  it.each([[1], [2], [Math.floor(size / 2)], [size - 1]])('count %i answers that many distinct fields in hash order', (count) => {
    const { store } = setup(size);
    const seen = new Set<Reply>();
    for (let i = 0; i < Math.ceil((20 * size) / count); i++) {
      const got = run(store, `HRANDFIELD h ${count}`) as string[];
      expect(got).toHaveLength(count);
      expect(new Set(got).size).toBe(count);
      expect(got).toEqual(all.filter((f) => got.includes(f))); // members, in the hash's order
      for (const f of got) seen.add(f);
    }
    expect(seen.size).toBe(size); // no field is never drawn
  });

  it('a count of its size or more answers every field once, in order', () => {
    const { store } = setup(size);
    expect(run(store, `HRANDFIELD h ${size}`)).toEqual(all);
    expect(run(store, `HRANDFIELD h ${size + 7} WITHVALUES`)).toEqual(all.map((f, i) => [f, `v${i}`]));
  });

  it('a negative count answers exactly |count| fields, repeating them', () => {
    const { store } = setup(size);
    for (const count of [1, 3, size, 3 * size]) {
      const got = run(store, `HRANDFIELD h -${count}`) as string[];
      expect(got).toHaveLength(count);
      for (const f of got) expect(all).toContain(f);
      if (count > size) expect(new Set(got).size).toBeLessThan(count);
    }
    // Drawn independently: in many draws of two, some draw names one field twice.
    const pairs = Array.from({ length: 200 }, () => run(store, 'HRANDFIELD h -2') as string[]);
    expect(pairs.some(([a, b]) => a === b)).toBe(true);
  });

  it('WITHVALUES pairs each field with its own value, for both signs', () => {
    const { store } = setup(size);
    for (const line of [`HRANDFIELD h 3 WITHVALUES`, `HRANDFIELD h -${2 * size} WITHVALUES`, `HRANDFIELD h -1 withvalues`]) {
      const got = run(store, line) as Array<[string, string]>;
      expect(got.length).toBeGreaterThan(0);
      for (const pair of got) {
        expect(pair).toHaveLength(2);
        expect(pair[1]).toBe(`v${pair[0].slice(1)}`);
      }
    }
  });
});

describe('HRANDFIELD with a negative count is bounded', () => {
  const limits = { maxArgs: 10, maxValueBytes: 0, maxReplyBytes: 100 };

  it('by limits.max_args items, a pair counting two, before any work', () => {
    const { store } = setup(3);
    expect(run(store, 'HRANDFIELD h -10', limits)).toHaveLength(10);
    expect(run(store, 'HRANDFIELD h -5 WITHVALUES', limits)).toHaveLength(5);
    for (const line of ['HRANDFIELD h -11', 'HRANDFIELD h -6 WITHVALUES', 'HRANDFIELD h -9223372036854775807', `HRANDFIELD h -${HALF} WITHVALUES`]) {
      const err = refusal(() => exec(store, line, { limits }));
      expect(err.code).toBe('LIMIT');
      expect(err.message).toMatch(/^ERR value is out of range: HRANDFIELD count -\d+ answers more items than limits\.max_args \(10\)$/);
    }
  });

  it('names the count exactly, even past 2^53', () => {
    const { store } = setup(3);
    expect(refusal(() => exec(store, 'HRANDFIELD h -9223372036854775807', { limits })).message).toContain('count -9223372036854775807 ');
  });

  it('by limits.max_message_bytes, as the reply grows', () => {
    const { store } = setup(0);
    exec(store, `HSET big f ${'x'.repeat(60)}`);
    expect(run(store, 'HRANDFIELD big -1 WITHVALUES', limits)).toEqual([['f', 'x'.repeat(60)]]);
    const err = refusal(() => exec(store, 'HRANDFIELD big -2 WITHVALUES', { limits }));
    expect(err.code).toBe('LIMIT');
    expect(err.message).toBe("ERR value is out of range: HRANDFIELD's reply would exceed limits.max_message_bytes (100)");
    // Fields alone are small enough.
    expect(run(store, 'HRANDFIELD big -10', limits)).toEqual(Array(10).fill('f'));
  });

  it('never for a positive count (the hash bounds it) nor a missing key', () => {
    const { store } = setup(30);
    expect(run(store, 'HRANDFIELD h 9223372036854775807', limits)).toHaveLength(30);
    expect(run(store, 'HRANDFIELD nope -9223372036854775807', limits)).toEqual([]);
  });
});

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isGokvError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
