import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, HASH_FIELD_OVERHEAD_BYTES, stateWireBytes, TOMBSTONE_OVERHEAD_BYTES } from '../store/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { OK } from './reply.js';
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
    expect(reply(store, 'HSET d f v')).toBe("ERROR OOM command not allowed when used memory > 'maxmemory'.");
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

describe('the key size bound (CommandLimits.maxKeyBytes, from limits.max_message_bytes)', () => {
  const MAX_KEY = 40_000;
  const limits = { maxArgs: 0, maxValueBytes: 0, maxKeyBytes: MAX_KEY };
  const big = 'x'.repeat(3000);
  const wireBytes = (store: ReturnType<typeof makeStore>['store'], key: string): number => {
    const state = store.exportKey(key);
    return state === undefined || state.deleted === true ? 0 : stateWireBytes(key, state.value);
  };

  // Each write repeated until refused: the key never passes the bound on the wire, a refusal
  // changes nothing, and the bound is not hit absurdly early.
  it.each([
    ['HSET', (i: number) => `HSET k f${i} ${big}`],
    ['HSETNX', (i: number) => `HSETNX k f${i} ${big}`],
    ['RPUSH', () => `RPUSH k ${big} ${big}`],
    ['LPUSH', () => `LPUSH k ${big}`],
    ['LINSERT', (i: number) => (i === 0 ? `RPUSH k p` : `LINSERT k BEFORE p ${big}`)],
    ['APPEND', () => `APPEND k ${big}`],
    ['SETRANGE', (i: number) => `SETRANGE k ${i * 3000} ${big}`],
  ])('%s: the key stays within the bound; a refused write is a LIMIT error that changes nothing', (_name, line) => {
    const { store } = makeStore();
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      const before = store.exportKey('k');
      try {
        exec(store, line(i), { limits });
      } catch (err) {
        refused = err;
        expect(store.exportKey('k')).toEqual(before);
      }
      expect(wireBytes(store, 'k')).toBeLessThanOrEqual(MAX_KEY);
    }
    expect(refused).toMatchObject({ code: 'LIMIT', message: expect.stringMatching(/^ERR key would exceed maximum allowed size \(limits\.max_message_bytes\)/) });
    expect(wireBytes(store, 'k')).toBeGreaterThan(MAX_KEY - 8 * 1024 - 2 * 3100);
  });

  it('counts a key from its wire bytes, not its memory charge (many small fields)', () => {
    const { store } = makeStore();
    // 1000 fields of 6 bytes: 72 KB charged, under 25 KB on the wire.
    const pairs = Array.from({ length: 500 }, (_, i) => `f${String(i).padStart(3, '0')} v`).join(' ');
    exec(store, `HSET k ${pairs}`, { limits });
    exec(store, `HSET k ${pairs.replaceAll('f', 'g')}`, { limits });
    expect(store.chargedBytes('k')).toBeGreaterThan(MAX_KEY);
    expect(exec(store, 'HSET k one more', { limits }).reply).toBe(1);
  });

  it('never refuses a replica applying its leader\'s write, and 0 means no bound', () => {
    const { store } = makeStore();
    for (let i = 0; i < 20; i++) exec(store, `HSET k f${i} ${big}`, { limits, version: i + 1 });
    expect(wireBytes(store, 'k')).toBeGreaterThan(MAX_KEY);
    for (let i = 0; i < 20; i++) exec(store, `HSET j f${i} ${big}`, { limits: { ...limits, maxKeyBytes: 0 } });
    expect(reply(store, 'HLEN j')).toBe(20);
  });

  it('does not bound reads or shrinking writes of a key already past it', () => {
    const { store } = makeStore();
    for (let i = 0; i < 20; i++) exec(store, `RPUSH k ${big}`, { limits, version: i + 1 });
    expect(reply(store, 'LLEN k', { limits })).toBe(20);
    expect(reply(store, 'RPUSH k y', { limits })).toMatch(/^ERROR ERR key would exceed/);
    expect(reply(store, 'LPOP k', { limits })).toBe(big);
    expect(reply(store, 'LTRIM k 0 1', { limits })).toEqual(OK);
    expect(reply(store, 'RPUSH k y', { limits })).toBe(3);
  });
});
