import { describe, expect, it } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { Simple } from './reply.js';
import { exec, replies, reply } from './testing/run.js';

const T0 = 1_700_000_000_000;

describe('general commands', () => {
  it.each([
    ['DEL counts the keys it deleted', ['HSET h f v', 'RPUSH l a'], 'DEL h l missing', 2],
    ['DEL of a key named twice deletes it once', ['HSET h f v'], 'DEL h h', 1],
    ['DEL of missing keys is 0', [], 'DEL a b', 0],
    ['UNLINK deletes as DEL does', ['HSET h f v', 'RPUSH l a'], 'UNLINK h l h missing', 2],
    ['EXISTS counts present keys', ['HSET h f v'], 'EXISTS h missing', 1],
    ['EXISTS counts a key named twice twice', ['HSET h f v'], 'EXISTS h h', 2],
    ['TYPE of a hash', ['HSET h f v'], 'TYPE h', new Simple('hash')],
    ['TYPE of a list', ['RPUSH l a'], 'TYPE l', new Simple('list')],
    ['TYPE of a missing key', [], 'TYPE nope', new Simple('none')],
    ['TTL of a missing key is -2', [], 'TTL nope', -2],
    ['TTL without expiry is -1', ['HSET h f v'], 'TTL h', -1],
    ['TTL in seconds', ['HSET h f v', 'EXPIRE h 100'], 'TTL h', 100],
    ['PTTL of a missing key is -2', [], 'PTTL nope', -2],
    ['PTTL without expiry is -1', ['HSET h f v'], 'PTTL h', -1],
    ['PTTL in ms', ['HSET h f v', 'PEXPIRE h 1234'], 'PTTL h', 1234],
    ['EXPIRETIME of a missing key is -2', [], 'EXPIRETIME nope', -2],
    ['EXPIRETIME without expiry is -1', ['HSET h f v'], 'EXPIRETIME h', -1],
    ['EXPIRETIME in Unix seconds, rounded', ['HSET h f v', `PEXPIREAT h ${T0 + 1500}`], 'EXPIRETIME h', T0 / 1000 + 2],
    ['PEXPIRETIME of a missing key is -2', [], 'PEXPIRETIME nope', -2],
    ['PEXPIRETIME in Unix ms', ['HSET h f v', 'PEXPIRE h 1234'], 'PEXPIRETIME h', T0 + 1234],
    ['PERSIST removes a TTL', ['HSET h f v', 'EXPIRE h 10'], 'PERSIST h', 1],
    ['PERSIST without TTL is 0', ['HSET h f v'], 'PERSIST h', 0],
    ['PERSIST of a missing key is 0', [], 'PERSIST nope', 0],
    ['PING', [], 'PING', new Simple('PONG')],
    ['PING with a message echoes it', [], 'PING hello', 'hello'],
    ['PING with two words is an arity error', [], 'PING a b', "ERROR ERR wrong number of arguments for 'ping' command"],
    ['DEL without a key is an arity error', [], 'DEL', "ERROR ERR wrong number of arguments for 'del' command"],
    ['TYPE with two keys is an arity error', [], 'TYPE a b', "ERROR ERR wrong number of arguments for 'type' command"],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
  });

  it.each([
    ['1500 ms left rounds to 2 s', 1500, 2],
    ['1499 ms left rounds to 1 s', 1499, 1],
    ['500 ms left rounds to 1 s', 500, 1],
    ['499 ms left rounds to 0 s', 499, 0],
  ])('TTL rounds as Redis: %s', (_name, ms, seconds) => {
    const { store } = makeStore();
    replies(store, ['HSET h f v', `PEXPIRE h ${ms}`]);
    expect(reply(store, 'TTL h')).toBe(seconds);
  });

  it('a PERSISTed key outlives its old TTL', () => {
    const { store, clock } = makeStore();
    replies(store, ['HSET h f v', 'EXPIRE h 1', 'PERSIST h']);
    clock.advance(5000);
    expect(reply(store, 'EXISTS h')).toBe(1);
  });

  it('DEL ships one effect with only the keys it deleted, above every key\'s version', () => {
    const { store } = makeStore();
    exec(store, 'HSET a f v', { version: T0 + 50 });
    exec(store, 'HSET b f v');
    const { effect } = exec(store, 'DEL a missing b a');
    expect(effect).toEqual({ name: 'DEL', key: 'a', args: ['b'], version: T0 + 51 });
    expect(store.tombstone('a')?.version).toBe(T0 + 51);
    expect(store.tombstone('b')?.version).toBe(T0 + 51);
    expect(exec(store, 'DEL a b').effect).toBeUndefined();
  });

  it.each([
    ['EXISTS', 'EXISTS h'],
    ['TYPE', 'TYPE h'],
    ['TTL', 'TTL h'],
    ['PTTL', 'PTTL h'],
    ['PING', 'PING'],
    ['PERSIST without a TTL', 'PERSIST h'],
  ])('%s ships no effect', (_name, line) => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    expect(exec(store, line).effect).toBeUndefined();
  });
});
