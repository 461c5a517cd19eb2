import { describe, expect, it, vi } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { OK, Simple } from './reply.js';
import { exec, replies, reply } from './testing/run.js';

const T0 = 1_700_000_000_000;
const WRONGTYPE = 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERROR ERR value is not an integer or out of range';
const SYNTAX = 'ERROR ERR syntax error';
const arity = (cmd: string): string => `ERROR ERR wrong number of arguments for '${cmd}' command`;
const badExpire = (cmd: string): string => `ERROR ERR invalid expire time in '${cmd}' command`;

describe('string commands', () => {
  it.each([
    ['GET of a missing key is nil', [], 'GET k', null],
    ['GET after SET', ['SET k v'], 'GET k', 'v'],
    ['GET of a hash is WRONGTYPE', ['HSET h f v'], 'GET h', WRONGTYPE],
    ['GET of a list is WRONGTYPE', ['RPUSH l a'], 'GET l', WRONGTYPE],
    ['SET answers OK', [], 'SET k v', OK],
    ['SET replaces a hash', ['HSET h f v'], 'SET h v', OK],
    ['SET then TYPE is string', ['SET k v'], 'TYPE k', new Simple('string')],
    ['SET NX of a new key', [], 'SET k v NX', OK],
    ['SET NX of an existing key is nil', ['SET k a'], 'SET k v NX', null],
    ['SET NX of an existing hash is nil', ['HSET k f v'], 'SET k v NX', null],
    ['SET XX of a missing key is nil', [], 'SET k v XX', null],
    ['SET XX of an existing key', ['SET k a'], 'SET k v xx', OK],
    ['SET GET answers the old value', ['SET k a'], 'SET k b GET', 'a'],
    ['SET GET of a missing key answers nil', [], 'SET k b GET', null],
    ['SET GET of a hash is WRONGTYPE', ['HSET k f v'], 'SET k b GET', WRONGTYPE],
    ['SET NX GET of an existing key answers it', ['SET k a'], 'SET k b NX GET', 'a'],
    ['SET NX and XX is a syntax error', [], 'SET k v NX XX', SYNTAX],
    ['SET EX and PX is a syntax error', [], 'SET k v EX 1 PX 1', SYNTAX],
    ['SET EX twice keeps the last', [], 'SET k v EX 1 EX 5', OK],
    ['SET KEEPTTL with EX is a syntax error', [], 'SET k v KEEPTTL EX 1', SYNTAX],
    ['SET EX without a time is a syntax error', [], 'SET k v EX', SYNTAX],
    ['SET with an unknown word is a syntax error', [], 'SET k v FOO', SYNTAX],
    ['SET EX 0 is an invalid expire time', [], 'SET k v EX 0', badExpire('set')],
    ['SET PX -1 is an invalid expire time', [], 'SET k v PX -1', badExpire('set')],
    ['SET EX past int64 ms is an invalid expire time', [], 'SET k v EX 9223372036854775', badExpire('set')],
    ['SET EX not an integer', [], 'SET k v EX soon', NOT_INT],
    ['SET without a value', [], 'SET k', arity('set')],
    ['SETNX of a new key', [], 'SETNX k v', 1],
    ['SETNX of an existing key', ['RPUSH k a'], 'SETNX k v', 0],
    ['SETEX sets with a TTL', [], 'SETEX k 10 v', OK],
    ['SETEX 0 is an invalid expire time', [], 'SETEX k 0 v', badExpire('setex')],
    ['PSETEX -5 is an invalid expire time', [], 'PSETEX k -5 v', badExpire('psetex')],
    ['GETDEL answers and deletes', ['SET k v'], 'GETDEL k', 'v'],
    ['GETDEL of a missing key', [], 'GETDEL k', null],
    ['GETDEL of a list is WRONGTYPE', ['RPUSH k a'], 'GETDEL k', WRONGTYPE],
    ['INCRBYFLOAT of a missing key', [], 'INCRBYFLOAT k 0.1', '0.1'],
    ['INCRBYFLOAT as a long double', ['SET k 0.1', 'INCRBYFLOAT k 0.2'], 'INCRBYFLOAT k 1e3', '1000.29999999999999999'],
    ['INCRBYFLOAT keeps the TTL', ['SET k 1 EX 100', 'INCRBYFLOAT k 1'], 'TTL k', 100],
    ['INCRBYFLOAT of a non-float', ['SET k abc'], 'INCRBYFLOAT k 1', 'ERROR ERR value is not a valid float'],
    ['INCRBYFLOAT by a non-float', [], 'INCRBYFLOAT k 1e', 'ERROR ERR value is not a valid float'],
    ['INCRBYFLOAT to infinity', [], 'INCRBYFLOAT k inf', 'ERROR ERR increment would produce NaN or Infinity'],
    ['INCRBYFLOAT checks the type first', ['RPUSH k a'], 'INCRBYFLOAT k abc', WRONGTYPE],
    ['GETSET answers the old value', ['SET k a'], 'GETSET k b', 'a'],
    ['GETSET of a missing key answers nil', [], 'GETSET k b', null],
    ['GETSET of a hash is WRONGTYPE', ['HSET k f v'], 'GETSET k b', WRONGTYPE],
    ['GETSET clears the TTL', ['SET k a EX 10', 'GETSET k b'], 'TTL k', -1],
    ['GETEX without options is GET', ['SET k a EX 10'], 'GETEX k', 'a'],
    ['GETEX EX sets a TTL', ['SET k a', 'GETEX k EX 50'], 'PTTL k', 50_000],
    ['GETEX PXAT sets an absolute one', ['SET k a', `GETEX k PXAT ${T0 + 700}`], 'PTTL k', 700],
    ['GETEX EXAT in the past answers, then deletes', ['SET k a'], 'GETEX k EXAT 1', 'a'],
    ['GETEX PERSIST clears the TTL', ['SET k a PX 500', 'GETEX k persist'], 'PTTL k', -1],
    ['GETEX of a missing key is nil', [], 'GETEX k EX 5', null],
    ['GETEX of a list is WRONGTYPE', ['RPUSH k a'], 'GETEX k', WRONGTYPE],
    ['GETEX EX 0', ['SET k a'], 'GETEX k EX 0', badExpire('getex')],
    ['GETEX checks its time only on a string', [], 'GETEX k PX x', null],
    ['GETEX with a bad time on a string', ['SET k a'], 'GETEX k PX x', NOT_INT],
    ['GETEX with a bad time on a list is WRONGTYPE', ['RPUSH k a'], 'GETEX k EX 0', WRONGTYPE],
    ['GETEX EX and PX together', ['SET k a'], 'GETEX k EX 5 PX 5', SYNTAX],
    ['GETEX PERSIST and EX together', ['SET k a'], 'GETEX k PERSIST EX 5', SYNTAX],
    ['GETEX takes no KEEPTTL', ['SET k a'], 'GETEX k KEEPTTL', SYNTAX],
    ['GETEX EX without its time', ['SET k a'], 'GETEX k EX', SYNTAX],
    ['STRLEN', ['SET k hello'], 'STRLEN k', 5],
    ['STRLEN of a missing key', [], 'STRLEN k', 0],
    ['STRLEN of a hash is WRONGTYPE', ['HSET k f v'], 'STRLEN k', WRONGTYPE],
    ['APPEND creates the key', [], 'APPEND k ab', 2],
    ['APPEND appends', ['SET k ab'], 'APPEND k cd', 4],
    ['APPEND to a list is WRONGTYPE', ['RPUSH k a'], 'APPEND k x', WRONGTYPE],
    ['INCR of a missing key', [], 'INCR k', 1],
    ['INCR', ['SET k 41'], 'INCR k', 42],
    ['DECR', ['SET k 0'], 'DECR k', -1],
    ['INCRBY', ['SET k 10'], 'INCRBY k -15', -5],
    ['DECRBY', ['SET k 10'], 'DECRBY k 15', -5],
    ['INCR of a non-integer', ['SET k abc'], 'INCR k', NOT_INT],
    ['INCR of a leading zero', ['SET k 007'], 'INCR k', NOT_INT],
    ['INCRBY with a non-integer amount', ['SET k 1'], 'INCRBY k 1.5', NOT_INT],
    ['INCR past int64 max', ['SET k 9223372036854775807'], 'INCR k', 'ERROR ERR increment or decrement would overflow'],
    ['DECR past int64 min', ['SET k -9223372036854775808'], 'DECR k', 'ERROR ERR increment or decrement would overflow'],
    ['DECRBY of int64 min', [], 'DECRBY k -9223372036854775808', 'ERROR ERR decrement would overflow'],
    ['INCRBY to a 64-bit result', ['SET k 9007199254740993'], 'INCRBY k 1', 9007199254740994n],
    ['INCR of a hash is WRONGTYPE', ['HSET k f 1'], 'INCR k', WRONGTYPE],
    ['MGET with nils for missing keys and other types', ['SET a 1', 'HSET h f v', 'SET c 3'], 'MGET a b h c', ['1', null, null, '3']],
    ['MSET answers OK', [], 'MSET a 1 b 2', OK],
    ['MSET with an odd count', [], 'MSET a 1 b', arity('mset')],
    ['MSET without a value', [], 'MSET a', arity('mset')],
    ['MSET then MGET', ['MSET a 1 b 2 a 3'], 'MGET a b', ['3', '2']],
    ['MSET replaces a list', ['RPUSH a x'], 'MSET a 1', OK],
    ['HSET on a string is WRONGTYPE', ['SET k v'], 'HSET k f v', WRONGTYPE],
    ['LPUSH on a string is WRONGTYPE', ['SET k v'], 'LPUSH k a', WRONGTYPE],
    ['SCAN TYPE string finds strings only', ['SET s v', 'HSET h f v'], 'SCAN 0 TYPE string', expect.objectContaining({ keys: ['s'] })],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
  });

  it('keeps an empty string as a value, and INCR refuses bytes around a number', () => {
    const { store } = makeStore();
    expect(executeCommand(store, { name: 'SET', key: 'k', args: [''] }).reply).toEqual(OK);
    expect(reply(store, 'EXISTS k')).toBe(1);
    expect(reply(store, 'STRLEN k')).toBe(0);
    // APPEND of nothing creates a missing key (as Redis does) but changes nothing on an existing one.
    expect(executeCommand(store, { name: 'APPEND', key: 'e', args: [''] }).effect).toMatchObject({ name: 'APPEND' });
    expect(reply(store, 'TYPE e')).toEqual(new Simple('string'));
    expect(executeCommand(store, { name: 'APPEND', key: 'e', args: [''] }).effect).toBeUndefined();
    executeCommand(store, { name: 'SET', key: 'n', args: [' 1'] });
    expect(reply(store, 'INCR n')).toBe(NOT_INT);
  });

  describe('TTLs', () => {
    it.each([
      ['SET EX sets seconds', ['SET k v EX 10'], 10_000],
      ['SET PX sets ms', ['SET k v PX 1500'], 1_500],
      ['SET EXAT sets an absolute second', [`SET k v EXAT ${T0 / 1000 + 20}`], 20_000],
      ['SET PXAT sets an absolute ms', [`SET k v PXAT ${T0 + 2500}`], 2_500],
      ['SET clears a TTL', ['SET k v EX 10', 'SET k w'], -1],
      // As redis-server 7.0.15: the same bytes again still clear the TTL (and MSET's too).
      ['SET of the same value clears a TTL', ['SET k v EX 10', 'SET k v'], -1],
      ['MSET of the same value clears a TTL', ['SET k v EX 10', 'MSET k v'], -1],
      ['SET KEEPTTL keeps it', ['SET k v EX 10', 'SET k w KEEPTTL'], 10_000],
      ['SET KEEPTTL keeps a hash\'s TTL', ['HSET k f v', 'PEXPIRE k 3000', 'SET k w KEEPTTL'], 3_000],
      ['SETEX sets seconds', ['SETEX k 7 v'], 7_000],
      ['INCR keeps it', ['SET k 1 PX 4000', 'INCR k'], 4_000],
      ['APPEND keeps it', ['SET k a PX 4000', 'APPEND k b'], 4_000],
      ['MSET clears it', ['SET k a PX 4000', 'MSET k b'], -1],
    ])('%s', (_name, lines, pttl) => {
      const { store } = makeStore();
      replies(store, lines);
      expect(reply(store, 'PTTL k')).toBe(pttl);
    });

    it('a key set with PX is gone once the time passes', () => {
      const { store, clock } = makeStore();
      exec(store, 'SET k v PX 100');
      clock.advance(100);
      expect(reply(store, 'GET k')).toBeNull();
      expect(store.tombstone('k')?.version).toBeGreaterThan(0);
    });
  });

  describe('effects', () => {
    it.each([
      ['SET EX ships an absolute PXAT', [], 'SET k v EX 10', { name: 'SET', key: 'k', args: ['v', 'PXAT', String(T0 + 10_000)] }],
      ['SET NX ships a plain SET', [], 'SET k v NX', { name: 'SET', key: 'k', args: ['v'] }],
      ['SET GET ships without GET', ['SET k a'], 'SET k b GET', { name: 'SET', key: 'k', args: ['b'] }],
      ['SET KEEPTTL ships the kept time', ['SET k a PX 500'], 'SET k b KEEPTTL', { name: 'SET', key: 'k', args: ['b', 'PXAT', String(T0 + 500)] }],
      ['SETEX ships SET PXAT', [], 'SETEX k 2 v', { name: 'SET', key: 'k', args: ['v', 'PXAT', String(T0 + 2000)] }],
      ['SETNX ships SET', [], 'SETNX k v', { name: 'SET', key: 'k', args: ['v'] }],
      ['INCR ships the result', ['SET k 9'], 'INCR k', { name: 'SET', key: 'k', args: ['10'] }],
      ['DECRBY keeps the expiry in its SET', ['SET k 9 PX 700'], 'DECRBY k 4', { name: 'SET', key: 'k', args: ['5', 'PXAT', String(T0 + 700)] }],
      ['APPEND ships itself', ['SET k a'], 'APPEND k b', { name: 'APPEND', key: 'k', args: ['b'] }],
      ['GETDEL ships DEL', ['SET k a'], 'GETDEL k', { name: 'DEL', key: 'k', args: [] }],
      ['GETSET ships SET', ['SET k a EX 5'], 'GETSET k b', { name: 'SET', key: 'k', args: ['b'] }],
      ['INCRBYFLOAT ships the result with its TTL', ['SET k 1 PX 700'], 'INCRBYFLOAT k 0.5', { name: 'SET', key: 'k', args: ['1.5', 'PXAT', String(T0 + 700)] }],
      ['GETEX EX ships PEXPIREAT', ['SET k a'], 'GETEX k EX 2', { name: 'PEXPIREAT', key: 'k', args: [String(T0 + 2000)] }],
      ['GETEX PERSIST ships PERSIST', ['SET k a EX 2'], 'GETEX k PERSIST', { name: 'PERSIST', key: 'k', args: [] }],
      ['GETEX at a past time ships DEL', ['SET k a'], 'GETEX k PXAT 5', { name: 'DEL', key: 'k', args: [] }],
      ['MSET ships the last value of each key', [], 'MSET a 1 b 2 a 3', { name: 'MSET', key: 'a', args: ['3', 'b', '2'] }],
    ])('%s', (_name, setup, line, expected) => {
      const { store } = makeStore();
      replies(store, setup);
      expect(exec(store, line).effect).toMatchObject(expected);
    });

    it.each([
      ['GET', ['SET k v'], 'GET k'],
      ['MGET', ['SET k v'], 'MGET k x'],
      ['STRLEN', ['SET k v'], 'STRLEN k'],
      ['a refused SET NX', ['SET k v'], 'SET k w NX'],
      ['a SET of the same bytes', ['SET k v'], 'SET k v'],
      ['GETDEL of a missing key', [], 'GETDEL k'],
      ['GETEX without options', ['SET k v'], 'GETEX k'],
      ['GETEX PERSIST without a TTL', ['SET k v'], 'GETEX k PERSIST'],
    ])('%s ships no effect', (_name, setup, line) => {
      const { store } = makeStore();
      replies(store, setup);
      const result = (() => {
        try {
          return exec(store, line);
        } catch {
          return { effect: undefined };
        }
      })();
      expect(result.effect).toBeUndefined();
    });

    it('SET over a hash gets a version above the hash\'s, even one ahead of the clock', () => {
      const { store } = makeStore();
      exec(store, 'HSET k f v', { version: T0 + 60_000 });
      const { effect } = exec(store, 'SET k v');
      expect(effect?.version).toBe(T0 + 60_001);
      expect(store.peek('k')?.type).toBe('string');
    });

    it('a replica applying SET PXAT in its past keeps the same state as the leader', () => {
      const leader = makeStore();
      const replica = makeStore();
      const { effect } = exec(leader.store, 'SET k v PX 50');
      replica.clock.advance(60); // the replica's clock runs ahead
      exec(replica.store, `${effect!.name} ${effect!.key} ${effect!.args.join(' ')}`, { version: effect!.version });
      expect(replica.store.tombstone('k')?.version ?? replica.store.versionOf('k')).toBeGreaterThanOrEqual(effect!.version);
    });
  });

  it('refuses an APPEND past limits.max_value_bytes and keeps the value', () => {
    const { store } = makeStore();
    const limits = { maxArgs: 0, maxValueBytes: 4 };
    exec(store, 'SET k abc', { limits });
    expect(reply(store, 'APPEND k de', { limits })).toBe('ERROR ERR string exceeds maximum allowed size (limits.max_value_bytes)');
    expect(reply(store, 'GET k')).toBe('abc');
  });
});

describe('one command, one instant', () => {
  it('judges a key at one instant across a command, even when the clock moves inside it (SET NX GET at the deadline)', () => {
    // SET reads the key for GET, then again for NX. With the clock read at each lookup, a key
    // expiring between the two was live for GET and missing for NX: the reply held the old
    // value while the key was set anyway. Redis judges the whole command at one time.
    const { store, clock } = makeStore();
    const T = clock.now();
    exec(store, `SET k old PXAT ${T + 2}`);
    const now = clock.now.bind(clock);
    vi.spyOn(clock, 'now').mockImplementation(() => {
      const t = now();
      clock.advance(1); // every read of the clock finds it a ms later
      return t;
    });
    expect(reply(store, 'SET k new NX GET')).toBe('old');
    vi.restoreAllMocks();
    expect(store.getString('k')?.value.text).toBe('old');
  });
});
