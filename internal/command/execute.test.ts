import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, HASH_FIELD_OVERHEAD_BYTES, TOMBSTONE_OVERHEAD_BYTES } from '../store/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { COMMANDS, lookupCommand } from './table.js';
import { exec, reply } from './testing/run.js';

const LIMITS = { maxArgs: 3, maxValueBytes: 8 };

describe('lookupCommand', () => {
  it.each([['hset'], ['HSET'], ['hSeT']])('finds %s in any case', (name) => {
    expect(lookupCommand(name)?.name).toBe('HSET');
  });

  it.each([['FOO'], [''], ['ſcan']])('does not know %j', (name) => {
    expect(lookupCommand(name)).toBeUndefined();
  });

  it.each([
    ['DEL', { write: true, denyOom: false, keyless: false, scan: false, multiKey: true, multiKeyArray: false, multiKeyPairs: false }],
    ['EXISTS', { write: false, denyOom: false, keyless: false, scan: false, multiKey: true, multiKeyArray: false, multiKeyPairs: false }],
    ['PING', { write: false, denyOom: false, keyless: true, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['SCAN', { write: false, denyOom: false, keyless: false, scan: true, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['HSET', { write: true, denyOom: true, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['LPOP', { write: true, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['HGET', { write: false, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['MGET', { write: false, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: true, multiKeyPairs: false }],
    ['MSET', { write: true, denyOom: true, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: true }],
    ['SETRANGE', { write: true, denyOom: true, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['GETRANGE', { write: false, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['SUBSTR', { write: false, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
    ['HRANDFIELD', { write: false, denyOom: false, keyless: false, scan: false, multiKey: false, multiKeyArray: false, multiKeyPairs: false }],
  ])('%s has the flags the router relies on', (name, flags) => {
    expect(lookupCommand(name)?.flags).toEqual(flags);
  });

  it('lists every command of DESIGN section 4, the other expiry commands, UNLINK, LINSERT, LPOS, HSCAN, HRANDFIELD, the string commands, OBJECT and MEMORY', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(
      [
        'DEL', 'EXISTS', 'TYPE', 'EXPIRE', 'PEXPIRE', 'PEXPIREAT', 'TTL', 'PTTL', 'PERSIST', 'SCAN', 'PING',
        'HSET', 'HSETNX', 'HMSET', 'HGET', 'HMGET', 'HGETALL', 'HDEL', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS',
        'HSTRLEN', 'HINCRBY', 'HSCAN', 'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LPOP', 'RPOP', 'LLEN', 'LRANGE',
        'LINDEX', 'LSET', 'LTRIM', 'LREM', 'GET', 'SET', 'SETNX', 'SETEX', 'PSETEX', 'GETDEL', 'STRLEN',
        'APPEND', 'INCR', 'DECR', 'INCRBY', 'DECRBY', 'MGET', 'MSET',
        'UNLINK', 'EXPIREAT', 'EXPIRETIME', 'PEXPIRETIME', 'LINSERT', 'LPOS', 'GETSET', 'GETEX', 'INCRBYFLOAT', 'HINCRBYFLOAT',
        'GETRANGE', 'SUBSTR', 'SETRANGE', 'HRANDFIELD', 'OBJECT', 'MEMORY',
      ].sort(),
    );
  });
});

describe('executeCommand', () => {
  it('names an unknown command as given', () => {
    const { store } = makeStore();
    expect(reply(store, 'FOO k')).toBe("ERROR ERR unknown command 'FOO'");
  });

  // Every command with too few arguments (one fewer than its minimum) is Redis's arity error.
  it.each(COMMANDS.filter((c) => !c.flags.keyless).map((c) => [c.name, c.arity] as const))(
    '%s with too few arguments is an arity error',
    (name, arity) => {
      const { store } = makeStore();
      const needed = Math.abs(arity) - 2; // arguments after the key
      const args = Array.from({ length: Math.max(0, needed - 1) }, () => '1');
      const request = needed >= 1 ? { name, key: 'k', args } : { name, key: '', args: [] };
      expect(() => executeCommand(store, request)).toThrow(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
    },
  );

  it.each(COMMANDS.filter((c) => c.arity > 0).map((c) => [c.name, c.arity] as const))(
    '%s with one argument too many is an arity error',
    (name, arity) => {
      const { store } = makeStore();
      const args = Array.from({ length: arity - 1 }, () => '1');
      expect(() => executeCommand(store, { name, key: 'k', args })).toThrow('wrong number of arguments');
    },
  );

  it.each([['HSET'], ['DEL'], ['LLEN'], ['SCAN']])('%s with an empty key is an arity error (proto3 cannot tell)', (name) => {
    const { store } = makeStore();
    expect(() => executeCommand(store, { name, key: '', args: ['f', 'v'] })).toThrow('wrong number of arguments');
  });

  it.each([
    ['too many arguments', 'RPUSH l a b c d', 'ERR too many arguments: 4 > limits.max_args (3)'],
    ['a long argument', 'RPUSH l 123456789', 'ERR argument of 9 bytes > limits.max_value_bytes (8)'],
    ['a long key', 'LLEN 123456789', 'ERR argument of 9 bytes > limits.max_value_bytes (8)'],
    ['limits before arity', 'HSET k a b c d', 'ERR too many arguments: 4 > limits.max_args (3)'],
  ])('refuses %s with a LIMIT error before any work', (_name, line, message) => {
    const { store } = makeStore();
    try {
      exec(store, line, { limits: LIMITS });
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toMatchObject({ code: 'LIMIT', message });
    }
    expect(store.size).toBe(0);
  });

  it('accepts a request exactly at the limits, and 0 means no limit', () => {
    const { store } = makeStore();
    expect(exec(store, 'RPUSH l 12345678 b c', { limits: LIMITS }).reply).toBe(3);
    expect(exec(store, 'RPUSH l a b c d e f', { limits: { maxArgs: 0, maxValueBytes: 0 } }).reply).toBe(9);
  });

  it('refuses growing writes with OOM under noeviction, but still allows DEL and reads', () => {
    const hash = ENTRY_OVERHEAD_BYTES + 1 + 2 + HASH_FIELD_OVERHEAD_BYTES; // each key below: `x`, f=v
    const tombstone = 1 + TOMBSTONE_OVERHEAD_BYTES; // what a DEL leaves (it counts too)
    // Room for two keys and a tombstone, less a byte.
    const { store } = makeStore({ maxMemoryBytes: 2 * hash + tombstone - 1, evictionPolicy: 'noeviction' });
    exec(store, 'HSET a f v');
    exec(store, 'HSET b f v');
    exec(store, 'HSET c f v'); // the check runs before a write: this one went over
    expect(reply(store, 'HSET d f v')).toBe("ERROR OOM command not allowed when used memory > 'maxmemory'");
    expect(reply(store, 'RPUSH l x')).toMatch(/^ERROR OOM/);
    expect(reply(store, 'HLEN a')).toBe(1);
    expect(reply(store, 'DEL a')).toBe(1);
    expect(reply(store, 'HSET d f v')).toMatch(/^ERROR OOM/); // a key out, its tombstone in
    expect(reply(store, 'DEL b')).toBe(1);
    expect(reply(store, 'HSET d f v')).toBe(1);
  });

  it('evicts under allkeys-lru so growing writes go on', () => {
    const { store } = makeStore({ maxMemoryBytes: ENTRY_OVERHEAD_BYTES * 3, evictionPolicy: 'allkeys-lru' });
    for (let i = 0; i < 20; i++) exec(store, `HSET k${i} f v`);
    expect(store.size).toBeLessThan(5);
    expect(store.counters.evictedKeys).toBeGreaterThan(15);
  });

  it('never refuses a replicated write for memory (it would diverge)', () => {
    const { store } = makeStore({ maxMemoryBytes: 1, evictionPolicy: 'noeviction' });
    exec(store, 'HSET a f v', { version: 5 });
    expect(exec(store, 'HSET b f v', { version: 6 }).reply).toBe(1);
  });

  it('stamps the given version instead of its own', () => {
    const { store } = makeStore();
    expect(exec(store, 'HSET h f v', { version: 77 }).effect).toEqual({ name: 'HSET', key: 'h', args: ['f', 'v'], version: 77 });
    expect(store.versionOf('h')).toBe(77);
  });
});
