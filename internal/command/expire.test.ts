import { describe, expect, it } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { exec, replies, reply } from './testing/run.js';

const T0 = 1_700_000_000_000;
const NOT_INT = 'ERROR ERR value is not an integer or out of range';

describe('EXPIRE / PEXPIRE / PEXPIREAT', () => {
  it.each([
    ['EXPIRE in whole seconds', 'EXPIRE h 10', 1, 10_000],
    ['EXPIRE with a duration', 'EXPIRE h 1m30s', 1, 90_000],
    ['EXPIRE with milliseconds', 'EXPIRE h 250ms', 1, 250],
    ['EXPIRE with fractional seconds', 'EXPIRE h 1.5s', 1, 1500],
    ['PEXPIRE in ms', 'PEXPIRE h 1500', 1, 1500],
    ['PEXPIRE with a duration', 'PEXPIRE h 2s', 1, 2000],
    ['PEXPIREAT absolute', `PEXPIREAT h ${T0 + 777}`, 1, 777],
    ['EXPIREAT in Unix seconds', `EXPIREAT h ${T0 / 1000 + 60}`, 1, 60_000],
    ['option words in any case', 'EXPIRE h 10 nx', 1, 10_000],
  ])('%s', (_name, line, expected, pttl) => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    expect(reply(store, line)).toBe(expected);
    expect(reply(store, 'PTTL h')).toBe(pttl);
  });

  it.each([
    ['EXPIRE 0 deletes', 'EXPIRE h 0'],
    ['EXPIRE negative deletes', 'EXPIRE h -5'],
    ['a negative duration deletes', 'EXPIRE h -1s'],
    ['PEXPIREAT in the past deletes', `PEXPIREAT h ${T0 - 1}`],
    ['PEXPIREAT now deletes', `PEXPIREAT h ${T0}`],
    ['EXPIREAT in the past deletes', `EXPIREAT h ${T0 / 1000 - 1}`],
  ])('%s and ships DEL', (_name, line) => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    const { reply: r, effect } = exec(store, line);
    expect(r).toBe(1);
    expect(effect).toMatchObject({ name: 'DEL', key: 'h', args: [] });
    expect(reply(store, 'EXISTS h')).toBe(0);
  });

  it.each([
    ['missing key', [], 'EXPIRE nope 10', 0],
    ['NX with no TTL sets', [], 'EXPIRE h 10 NX', 1],
    ['NX with a TTL refuses', ['EXPIRE h 5'], 'EXPIRE h 10 NX', 0],
    ['XX with no TTL refuses', [], 'EXPIRE h 10 XX', 0],
    ['XX with a TTL sets', ['EXPIRE h 5'], 'EXPIRE h 10 XX', 1],
    ['GT with no TTL refuses (no TTL is infinite)', [], 'EXPIRE h 10 GT', 0],
    ['GT with a longer TTL sets', ['EXPIRE h 5'], 'EXPIRE h 10 GT', 1],
    ['GT with a shorter TTL refuses', ['EXPIRE h 20'], 'EXPIRE h 10 GT', 0],
    ['LT with no TTL sets', [], 'EXPIRE h 10 LT', 1],
    ['LT with a shorter TTL sets', ['EXPIRE h 20'], 'EXPIRE h 10 LT', 1],
    ['LT with a longer TTL refuses', ['EXPIRE h 5'], 'EXPIRE h 10 LT', 0],
    // As redis-server 7.0.15: the same time is neither greater nor less.
    ['GT with the same time refuses', ['EXPIRE h 10'], 'EXPIRE h 10 GT', 0],
    ['LT with the same time refuses', ['EXPIRE h 10'], 'EXPIRE h 10 LT', 0],
    ['XX LT without a TTL refuses', [], 'EXPIRE h 10 XX LT', 0],
    ['NX on a past time still deletes when allowed', [], 'EXPIRE h -1 NX', 1],
    ['NX and XX together', [], 'EXPIRE h 10 NX XX', 'ERROR ERR NX and XX, GT or LT options at the same time are not compatible'],
    ['GT and LT together', [], 'EXPIRE h 10 GT LT', 'ERROR ERR GT and LT options at the same time are not compatible'],
    ['an unknown option', [], 'EXPIRE h 10 FOO', 'ERROR ERR Unsupported option FOO'],
    ['options are read before the time', [], 'EXPIRE h x FOO', 'ERROR ERR Unsupported option FOO'],
    ['a non-integer TTL', [], 'EXPIRE h abc', NOT_INT],
    ['a decimal without unit', [], 'EXPIRE h 1.5', NOT_INT],
    ['a duration longer than 64 bytes', [], `EXPIRE h ${'9'.repeat(100)}s`, NOT_INT],
    ['PEXPIREAT takes no duration', [], 'PEXPIREAT h 10s', NOT_INT],
    ['EXPIREAT takes no duration', [], 'EXPIREAT h 10s', NOT_INT],
    ['EXPIREAT with GT over a shorter TTL', ['EXPIRE h 5'], `EXPIREAT h ${T0 / 1000 + 60} GT`, 1],
    ['EXPIREAT seconds overflowing int64 ms', [], 'EXPIREAT h 9223372036854775807', "ERROR ERR invalid expire time in 'expireat' command"],
    ['a bad TTL on a missing key still errors', [], 'EXPIRE nope abc', NOT_INT],
    ['seconds overflowing int64 ms', [], 'EXPIRE h 9223372036854775807', "ERROR ERR invalid expire time in 'expire' command"],
    ['ms overflowing when added to now', [], 'PEXPIRE h 9223372036854775807', "ERROR ERR invalid expire time in 'pexpire' command"],
    ['an absolute time past 2^53 ms', [], 'PEXPIREAT h 9007199254740993', "ERROR ERR invalid expire time in 'pexpireat' command"],
    ['arity', [], 'EXPIRE h', "ERROR ERR wrong number of arguments for 'expire' command"],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, ['HSET h f v', ...setup]);
    expect(reply(store, line)).toEqual(expected);
  });

  it('ships relative TTLs as PEXPIREAT with the absolute time', () => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    expect(exec(store, 'EXPIRE h 10 NX').effect).toEqual({
      name: 'PEXPIREAT',
      key: 'h',
      args: [String(T0 + 10_000)],
      version: T0 + 1,
    });
    expect(exec(store, 'PEXPIRE h 10000').effect).toBeUndefined(); // same time: nothing changed
    expect(exec(store, 'EXPIRE h 10 NX').effect).toBeUndefined(); // refused
  });

  it('expires lazily on the manual clock', () => {
    const { store, clock } = makeStore();
    replies(store, ['RPUSH l a', 'EXPIRE l 2s']);
    clock.advance(1999);
    expect(reply(store, 'LLEN l')).toBe(1);
    clock.advance(1);
    expect(reply(store, 'LLEN l')).toBe(0);
    expect(reply(store, 'TTL l')).toBe(-2);
  });

  it('expires actively on the manual clock without any access', () => {
    const { store, clock } = makeStore();
    for (let i = 0; i < 50; i++) replies(store, [`HSET k${i} f v`, `PEXPIRE k${i} 100`]);
    clock.advance(100);
    store.activeExpireCycle(10);
    expect(store.size).toBeLessThan(50);
    expect(store.counters.expiredKeys).toBe(50 - store.size);
  });

  it('a replica applies a leader\'s PEXPIREAT as a write even if its own clock says past', () => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    const r = exec(store, `PEXPIREAT h ${T0 - 10}`, { version: T0 + 99 });
    expect(r.effect).toMatchObject({ name: 'PEXPIREAT', version: T0 + 99 });
    // Its own expiry then follows, with the tombstone version every copy computes: version + 1.
    expect(store.exportKey('h')).toEqual({ deleted: true, version: T0 + 100 });
  });
});
