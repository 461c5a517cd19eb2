import { describe, expect, it } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { OK, ReplyMap } from './reply.js';
import { exec, replies, reply } from './testing/run.js';

const WRONGTYPE = 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERROR ERR value is not an integer or out of range';
const arity = (cmd: string): string => `ERROR ERR wrong number of arguments for '${cmd}' command`;

describe('hash commands', () => {
  it.each([
    ['HSET counts added fields', [], 'HSET h a 1 b 2', 2],
    ['HSET counts only new fields', ['HSET h a 1'], 'HSET h a 9 b 2', 1],
    ['HSET with an odd pair count', [], 'HSET h a 1 b', arity('hset')],
    ['HSET with no pair', [], 'HSET h a', arity('hset')],
    ['HMSET answers OK', [], 'HMSET h a 1 b 2', OK],
    ['HMSET with an odd pair count', [], 'HMSET h a', arity('hmset')],
    ['HSETNX sets a new field', [], 'HSETNX h a 1', 1],
    ['HSETNX keeps an existing field', ['HSET h a 1'], 'HSETNX h a 2', 0],
    ['HSETNX arity', [], 'HSETNX h a', arity('hsetnx')],
    ['HGET of one field', ['HSET h a 1'], 'HGET h a', new ReplyMap([['a', '1']])],
    ['HGET of several fields answers the ones present', ['HSET h a 1 b 2'], 'HGET h b zz a', new ReplyMap([['b', '2'], ['a', '1']])],
    ['HGET of a field named twice answers it once', ['HSET h a 1'], 'HGET h a a', new ReplyMap([['a', '1']])],
    ['HGET of a missing key is an empty map', [], 'HGET h a', new ReplyMap([])],
    ['HGET without a field', [], 'HGET h', arity('hget')],
    ['HMGET with nils', ['HSET h a 1'], 'HMGET h a zz', ['1', null]],
    ['HMGET of a missing key', [], 'HMGET h a', [null]],
    ['HGETALL in insertion order', ['HSET h b 2 a 1'], 'HGETALL h', new ReplyMap([['b', '2'], ['a', '1']])],
    ['HGETALL of a missing key', [], 'HGETALL h', new ReplyMap([])],
    ['HDEL counts removed fields', ['HSET h a 1 b 2 c 3'], 'HDEL h a c zz', 2],
    ['HDEL of a missing key', [], 'HDEL h a', 0],
    ['HDEL without a field', ['HSET h a 1'], 'HDEL h', arity('hdel')],
    ['HKEYS', ['HSET h a 1 b 2'], 'HKEYS h', ['a', 'b']],
    ['HKEYS of a missing key', [], 'HKEYS h', []],
    ['HVALS', ['HSET h a 1 b 2'], 'HVALS h', ['1', '2']],
    ['HLEN', ['HSET h a 1 b 2'], 'HLEN h', 2],
    ['HLEN of a missing key', [], 'HLEN h', 0],
    ['HEXISTS present', ['HSET h a 1'], 'HEXISTS h a', 1],
    ['HEXISTS absent', ['HSET h a 1'], 'HEXISTS h b', 0],
    ['HSTRLEN', ['HSET h a hello'], 'HSTRLEN h a', 5],
    ['HSTRLEN of a missing field', ['HSET h a hello'], 'HSTRLEN h b', 0],
    ['HINCRBYFLOAT creates the field', [], 'HINCRBYFLOAT h n 0.1', '0.1'],
    ['HINCRBYFLOAT adds as a long double', ['HSET h n 0.1'], 'HINCRBYFLOAT h n 0.2', '0.3'],
    ['HINCRBYFLOAT of an integer field', ['HSET h n 10'], 'HINCRBYFLOAT h n -0.5', '9.5'],
    ['HINCRBYFLOAT of a non-float field', ['HSET h n abc'], 'HINCRBYFLOAT h n 1', 'ERROR ERR hash value is not a float'],
    ['HINCRBYFLOAT by a non-float', [], 'HINCRBYFLOAT h n abc', 'ERROR ERR value is not a valid float'],
    ['HINCRBYFLOAT by infinity', [], 'HINCRBYFLOAT h n inf', 'ERROR ERR value is NaN or Infinity'],
    ['HINCRBYFLOAT reads the increment before the type', ['RPUSH h a'], 'HINCRBYFLOAT h n abc', 'ERROR ERR value is not a valid float'],
    ['HINCRBYFLOAT of a list', ['RPUSH h a'], 'HINCRBYFLOAT h n 1', 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value'],
    ['HINCRBY creates the field', [], 'HINCRBY h n 5', 5],
    ['HINCRBY adds', ['HSET h n 10'], 'HINCRBY h n -3', 7],
    ['HINCRBY to int64 min', [], 'HINCRBY h n -9223372036854775808', -9223372036854775808n],
    ['HINCRBY to int64 max', ['HSET h n 1'], 'HINCRBY h n 9223372036854775806', 9223372036854775807n],
    ['HINCRBY past int64 max', ['HSET h n 9223372036854775807'], 'HINCRBY h n 1', 'ERROR ERR increment or decrement would overflow'],
    ['HINCRBY past int64 min', ['HSET h n -2'], 'HINCRBY h n -9223372036854775807', 'ERROR ERR increment or decrement would overflow'],
    ['HINCRBY of a non-integer field', ['HSET h n abc'], 'HINCRBY h n 1', 'ERROR ERR hash value is not an integer'],
    ['HINCRBY of a field with a leading zero', ['HSET h n 01'], 'HINCRBY h n 1', 'ERROR ERR hash value is not an integer'],
    ['HINCRBY with a non-integer increment', [], 'HINCRBY h n 1.5', NOT_INT],
    ['HINCRBY with an increment past int64', [], 'HINCRBY h n 9223372036854775808', NOT_INT],
    ['HINCRBY checks the increment before the type', ['RPUSH l a'], 'HINCRBY l n x', NOT_INT],
    ['HSCAN returns the whole hash at cursor 0', ['HSET h a 1 b 2 c 3'], 'HSCAN h 0 COUNT 1', ['0', ['a', '1', 'b', '2', 'c', '3']]],
    ['HSCAN with MATCH and NOVALUES', ['HSET h user:1 x user:2 y item:1 z'], 'HSCAN h 0 match user:* novalues', ['0', ['user:1', 'user:2']]],
    ['HSCAN of a missing key', [], 'HSCAN h 0', ['0', []]],
    ['HSCAN from any cursor answers the whole hash, as Redis does for a small one', ['HSET h a 1'], 'HSCAN h 17', ['0', ['a', '1']]],
    ['HSCAN with a negative cursor (strtoul wraps it)', ['HSET h a 1'], 'HSCAN h -1', ['0', ['a', '1']]],
    ['HSCAN of a list', ['RPUSH l a'], 'HSCAN l 0', WRONGTYPE],
    ['HSCAN with a cursor that is not a number', ['HSET h a 1'], 'HSCAN h x', 'ERROR ERR invalid cursor'],
    ['HSCAN with a cursor past 2^64', ['HSET h a 1'], 'HSCAN h 18446744073709551616', 'ERROR ERR invalid cursor'],
    ['HSCAN with COUNT 0', ['HSET h a 1'], 'HSCAN h 0 COUNT 0', 'ERROR ERR syntax error'],
    ['HSCAN with COUNT and no number', ['HSET h a 1'], 'HSCAN h 0 COUNT', 'ERROR ERR syntax error'],
    ['HSCAN with an unknown option', ['HSET h a 1'], 'HSCAN h 0 TYPE hash', 'ERROR ERR syntax error'],
    // redis-server 7.0.15 looks the key up after the cursor and before the options.
    ['HSCAN of a missing key ignores its options', [], 'HSCAN h 0 COUNT x FOO', ['0', []]],
    ['HSCAN of a missing key still checks its cursor', [], 'HSCAN h x', 'ERROR ERR invalid cursor'],
    ['HSCAN of a list is WRONGTYPE before its options', ['RPUSH l a'], 'HSCAN l 0 FOO', WRONGTYPE],
    ['HSCAN arity', [], 'HSCAN h', arity('hscan')],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
  });

  it.each([
    ['HSET'], ['HMSET'], ['HSETNX'], ['HGET'], ['HMGET'], ['HDEL'], ['HEXISTS'], ['HSTRLEN'],
  ])('%s on a list is WRONGTYPE', (cmd) => {
    const { store } = makeStore();
    exec(store, 'RPUSH l a');
    const args = cmd === 'HSET' || cmd === 'HMSET' || cmd === 'HSETNX' ? 'f v' : 'f';
    expect(reply(store, `${cmd} l ${args}`)).toBe(WRONGTYPE);
  });

  it.each([['HGETALL'], ['HKEYS'], ['HVALS'], ['HLEN']])('%s on a list is WRONGTYPE', (cmd) => {
    const { store } = makeStore();
    exec(store, 'RPUSH l a');
    expect(reply(store, `${cmd} l`)).toBe(WRONGTYPE);
  });

  it('HINCRBY on a list is WRONGTYPE', () => {
    const { store } = makeStore();
    exec(store, 'RPUSH l a');
    expect(reply(store, 'HINCRBY l f 1')).toBe(WRONGTYPE);
  });

  it('deletes the hash when HDEL removes its last field', () => {
    const { store } = makeStore();
    exec(store, 'HSET h a 1 b 2');
    expect(reply(store, 'HDEL h a b')).toBe(2);
    expect(reply(store, 'EXISTS h')).toBe(0);
    expect(store.size).toBe(0);
    expect(store.keysMemory).toBe(0);
  });

  it('ships HINCRBY as an HSET of the result', () => {
    const { store } = makeStore();
    exec(store, 'HSET h n 41');
    expect(exec(store, 'HINCRBY h n 1').effect).toMatchObject({ name: 'HSET', key: 'h', args: ['n', '42'] });
    expect(exec(store, 'HINCRBY h n 0').effect).toBeUndefined();
  });

  it.each([
    ['HSET of the same values', 'HSET h a 1'],
    ['HMSET of the same values', 'HMSET h a 1'],
    ['HSETNX of an existing field', 'HSETNX h a 2'],
    ['HDEL of absent fields', 'HDEL h zz'],
    ['HGET', 'HGET h a'],
    ['HGETALL', 'HGETALL h'],
  ])('%s ships no effect and keeps the version', (_name, line) => {
    const { store } = makeStore();
    exec(store, 'HSET h a 1');
    const before = store.versionOf('h');
    expect(exec(store, line).effect).toBeUndefined();
    expect(store.versionOf('h')).toBe(before);
  });

  describe('HSCAN of a hash over 512 fields', () => {
    const large = (store: ReturnType<typeof makeStore>['store'], key = 'h'): void => {
      exec(store, `HSET ${key} ${Array.from({ length: 1000 }, (_, i) => `f${i} v${i}`).join(' ')}`);
    };
    const page = (store: ReturnType<typeof makeStore>['store'], line: string): [string, string[]] => reply(store, line) as [string, string[]];

    it('pages COUNT fields at a time until cursor 0, every field once', () => {
      const { store } = makeStore();
      large(store);
      const seen: string[] = [];
      let cursor = '0';
      let pages = 0;
      do {
        const [next, items] = page(store, `HSCAN h ${cursor} COUNT 250`);
        expect(items.length).toBe(500);
        seen.push(...items.filter((_, i) => i % 2 === 0));
        cursor = next;
        pages++;
      } while (cursor !== '0' && pages < 10);
      expect(pages).toBe(4);
      expect(seen.sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `f${i}`).sort());
    });

    it('filters each page with MATCH (a page may come back empty) and leaves values out with NOVALUES', () => {
      const { store } = makeStore();
      large(store);
      const [next, items] = page(store, 'HSCAN h 0 MATCH f1?? NOVALUES COUNT 100');
      expect(next).not.toBe('0');
      expect(items).toEqual([]); // f0..f99: none matches
      const [after, matched] = page(store, `HSCAN h ${next} MATCH f1?? NOVALUES COUNT 100`);
      expect(matched).toEqual(Array.from({ length: 100 }, (_, i) => `f${100 + i}`));
      expect(after).not.toMatch(/^(0|${next})$/); // each page its own cursor
    });

    it('answers an HSCAN asked again with the same cursor (a client library\'s retry) with the same page', () => {
      const { store } = makeStore();
      large(store);
      const [next] = page(store, 'HSCAN h 0 COUNT 10');
      const second = page(store, `HSCAN h ${next} COUNT 10`);
      expect(page(store, `HSCAN h ${next} COUNT 10`)).toEqual(second);
      expect(page(store, `HSCAN h ${second[0]} COUNT 10`)[1].slice(0, 2)).toEqual(['f20', 'v20']);
    });

    it('refuses a cursor no scan of this hash has, naming what to do', () => {
      const { store } = makeStore();
      large(store);
      expect(reply(store, 'HSCAN h 17')).toMatch(/^ERROR ERR HSCAN cursor 17 is not open on this node .*start again from 0$/);
      const [next] = page(store, 'HSCAN h 0');
      large(store, 'g');
      expect(reply(store, `HSCAN g ${next}`)).toMatch(/^ERROR ERR HSCAN cursor \d+ is not open/);
      expect(page(store, `HSCAN h 00${next}`)[0]).not.toBe('0'); // leading zeros name the same cursor
    });

    it('ends a scan whose hash was deleted, and forgets it once the expiry cycle runs', () => {
      const { store } = makeStore();
      large(store);
      const [first] = page(store, 'HSCAN h 0');
      exec(store, 'DEL h');
      expect(reply(store, `HSCAN h ${first}`)).toEqual(['0', []]); // closed by the call itself
      large(store);
      const [second] = page(store, 'HSCAN h 0');
      exec(store, 'DEL h');
      store.activeExpireCycle(10);
      large(store); // a new hash at the key: without the cycle the scan would walk it from its start
      expect(reply(store, `HSCAN h ${second}`)).toMatch(/^ERROR ERR HSCAN cursor/);
    });
  });

  it('keeps binary fields and values byte-exact', () => {
    const { store } = makeStore();
    const key = '\x00\xff\x80key';
    const field = '\xc3\x28'; // invalid UTF-8
    const value = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    expect(executeCommand(store, { name: 'HSET', key, args: [field, value] }).reply).toBe(1);
    expect(executeCommand(store, { name: 'HGETALL', key, args: [] }).reply).toEqual(new ReplyMap([[field, value]]));
    expect(store.exportKey(key)).toMatchObject({ value: [field, value] });
  });
});
