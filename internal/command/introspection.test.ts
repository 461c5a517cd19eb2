import { describe, expect, it } from 'vitest';
import { startTimeMarks } from '../store/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { lookupCommand } from './table.js';
import { routingKey } from './spec.js';
import { exec, replies, reply, request } from './testing/run.js';

const bytes = (n: number) => 'a'.repeat(n);
/** HSET of `n` fields `f1..fn`, each with value `v`. */
const hset = (key: string, n: number, v = 'v') => `HSET ${key} ${Array.from({ length: n }, (_, i) => `f${i + 1} ${v}`).join(' ')}`;

const NO_LFU =
  'ERROR ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

describe('OBJECT ENCODING answers what Redis 7.0 would use for the shape', () => {
  // Each row probed on redis-server 7.0.15 without a config file.
  it.each([
    ['a small integer', 'SET s 1', 'int'],
    ['the largest 64-bit integer', 'SET s 9223372036854775807', 'int'],
    ['the smallest 64-bit integer', 'SET s -9223372036854775808', 'int'],
    ['one past 64 bits', 'SET s 9223372036854775808', 'embstr'],
    ['a leading zero', 'SET s 007', 'embstr'],
    ['a plus sign', 'SET s +5', 'embstr'],
    ['minus zero', 'SET s -0', 'embstr'],
    ['a float', 'SET s 1.5', 'embstr'],
    ['44 bytes', `SET s ${bytes(44)}`, 'embstr'],
    ['45 bytes', `SET s ${bytes(45)}`, 'raw'],
    ['a one-field hash', 'HSET s f v', 'listpack'],
    ['a hash of 512 fields', hset('s', 512), 'listpack'],
    ['a hash of 513 fields', hset('s', 513), 'hashtable'],
    ['a hash with a 64-byte value', `HSET s f ${bytes(64)}`, 'listpack'],
    ['a hash with a 65-byte value', `HSET s f ${bytes(65)}`, 'hashtable'],
    ['a hash with a 65-byte field', `HSET s ${bytes(65)} v`, 'hashtable'],
    ['a one-element list', 'RPUSH s a', 'quicklist'],
  ])('%s', (_name, setup, encoding) => {
    const { store } = makeStore();
    replies(store, [setup]);
    expect(reply(store, 'OBJECT ENCODING s')).toBe(encoding);
    expect(reply(store, 'object encoding s')).toBe(encoding);
  });

  it('answers an empty string as embstr (a value, not a missing key)', () => {
    const { store } = makeStore();
    const e = store.stringForWrite('s');
    e.value.set('');
    store.commit(e);
    expect(reply(store, 'OBJECT ENCODING s')).toBe('embstr');
  });
});

describe('OBJECT and MEMORY', () => {
  it.each([
    ['ENCODING of a missing key is nil', [], 'OBJECT ENCODING nope', null],
    ['FREQ of a missing key is nil', [], 'OBJECT FREQ nope', null],
    ['FREQ without an LFU policy is Redis\'s error', ['SET s v'], 'OBJECT FREQ s', NO_LFU],
    ['IDLETIME of a missing key is nil', [], 'OBJECT IDLETIME nope', null],
    ['IDLETIME just after a write is 0', ['SET s v'], 'OBJECT IDLETIME s', 0],
    ['REFCOUNT of a missing key is nil', [], 'OBJECT REFCOUNT nope', null],
    ['REFCOUNT of a hash is 1', ['HSET h f v'], 'OBJECT REFCOUNT h', 1],
    ['REFCOUNT of 9999, a shared integer', ['SET s 9999'], 'OBJECT REFCOUNT s', 2147483647],
    ['REFCOUNT of 10000, not shared', ['SET s 10000'], 'OBJECT REFCOUNT s', 1],
    ['REFCOUNT of -1, not shared', ['SET s -1'], 'OBJECT REFCOUNT s', 1],
    ['OBJECT alone', [], 'OBJECT', "ERROR ERR wrong number of arguments for 'object' command"],
    ['OBJECT ENCODING without a key', [], 'OBJECT ENCODING', "ERROR ERR wrong number of arguments for 'object|encoding' command"],
    ['OBJECT ENCODING with two keys', [], 'OBJECT ENCODING a b', "ERROR ERR wrong number of arguments for 'object|encoding' command"],
    ['OBJECT HELP with an argument', [], 'OBJECT HELP x', "ERROR ERR wrong number of arguments for 'object|help' command"],
    ['an unknown OBJECT subcommand, as sent', [], 'OBJECT fOo k', "ERROR ERR unknown subcommand 'fOo'. Try OBJECT HELP."],
    ['MEMORY USAGE of a missing key is nil', [], 'MEMORY USAGE nope', null],
    ['MEMORY USAGE accepts SAMPLES', ['SET s v'], 'MEMORY USAGE s SAMPLES 0', 174],
    ['MEMORY USAGE checks SAMPLES before the key', [], 'MEMORY USAGE nope SAMPLES x', 'ERROR ERR value is not an integer or out of range'],
    ['MEMORY USAGE with SAMPLES and no count', ['SET s v'], 'MEMORY USAGE s SAMPLES', 'ERROR ERR syntax error'],
    ['MEMORY USAGE with a negative count', ['SET s v'], 'MEMORY USAGE s samples -1', 'ERROR ERR syntax error'],
    ['MEMORY USAGE with another option', [], 'MEMORY USAGE nope FOO', 'ERROR ERR syntax error'],
    ['MEMORY alone', [], 'MEMORY', "ERROR ERR wrong number of arguments for 'memory' command"],
    ['MEMORY USAGE without a key', [], 'MEMORY USAGE', "ERROR ERR wrong number of arguments for 'memory|usage' command"],
    ['MEMORY STATS, which gokv has not', [], 'MEMORY STATS', "ERROR ERR unknown subcommand 'STATS'. Try MEMORY HELP."],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
  });

  it.each([
    ['MEMORY', 'USAGE', 'memory|usage'],
    ['OBJECT', 'ENCODING', 'object|encoding'],
  ])('refuses the empty key as every gokv command does: %s %s ""', (name, sub, full) => {
    const { store } = makeStore();
    expect(() => executeCommand(store, { name, key: sub, args: [''] })).toThrow(`ERR wrong number of arguments for '${full}' command`);
  });

  it('MEMORY USAGE is the bytes the memory accounting charges the key', () => {
    const { store } = makeStore();
    for (const line of ['HSET h f v g w', 'RPUSH l a b c', `SET s ${bytes(100)}`]) {
      const before = store.keysMemory;
      replies(store, [line]);
      expect(reply(store, `MEMORY USAGE ${request(line).key}`)).toBe(store.keysMemory - before);
    }
  });

  it('OBJECT IDLETIME counts whole seconds since the last use; introspection is no use', () => {
    const { store, clock } = makeStore();
    startTimeMarks(store, clock); // marks every second, as a node does
    replies(store, ['SET s v']);
    clock.advance(4_999);
    expect(replies(store, ['OBJECT IDLETIME s', 'OBJECT ENCODING s', 'MEMORY USAGE s', 'OBJECT REFCOUNT s', 'TTL s'])).toEqual([4, 'embstr', 174, 1, -1]);
    clock.advance(1);
    expect(reply(store, 'OBJECT IDLETIME s')).toBe(5);
    replies(store, ['GET s']);
    expect(reply(store, 'OBJECT IDLETIME s')).toBe(0);
  });

  it('REFCOUNT of a small integer is 1 with maxmemory and an LRU policy, as Redis shares none then', () => {
    const lru = makeStore({ maxMemoryBytes: 1 << 20, evictionPolicy: 'allkeys-lru' }).store;
    const random = makeStore({ maxMemoryBytes: 1 << 20, evictionPolicy: 'allkeys-random' }).store;
    replies(lru, ['SET s 5']);
    replies(random, ['SET s 5']);
    expect([reply(lru, 'OBJECT REFCOUNT s'), reply(random, 'OBJECT REFCOUNT s')]).toEqual([1, 2147483647]);
  });

  it('is read-only: no effect to replicate, no new version', () => {
    const { store } = makeStore();
    replies(store, ['HSET h f v']);
    const version = store.versionOf('h');
    for (const line of ['OBJECT ENCODING h', 'OBJECT IDLETIME h', 'OBJECT REFCOUNT h', 'MEMORY USAGE h', 'OBJECT HELP', 'MEMORY HELP']) {
      expect(exec(store, line).effect).toBeUndefined();
    }
    expect(store.versionOf('h')).toBe(version);
    expect(lookupCommand('OBJECT')!.flags.write || lookupCommand('MEMORY')!.flags.write).toBe(false);
  });

  it('answers OBJECT HELP and MEMORY HELP with Redis\'s lines', () => {
    const { store } = makeStore();
    const help = reply(store, 'OBJECT HELP') as Array<{ text: string }>;
    expect(help).toHaveLength(15);
    expect(help[0]!.text).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect((reply(store, 'memory help') as Array<{ text: string }>).map((l) => l.text)).toContain('USAGE <key> [SAMPLES <count>]');
  });
});

describe('routingKey', () => {
  it.each([
    ['GET k', 'k'],
    ['OBJECT ENCODING k', 'k'],
    ['object idletime k', 'k'],
    ['MEMORY USAGE k SAMPLES 5', 'k'],
    ['OBJECT HELP', ''],
    ['OBJECT FOO k', ''],
    ['OBJECT ENCODING', ''],
  ])('%s -> %j', (line, key) => {
    const req = request(line);
    expect(routingKey(lookupCommand(req.name)!, req)).toBe(key);
  });
});
