import { describe, expect, it } from 'vitest';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import { OK } from './reply.js';
import { exec, replies, reply } from './testing/run.js';

const WRONGTYPE = 'ERROR WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INT = 'ERROR ERR value is not an integer or out of range';
const NOT_POSITIVE = 'ERROR ERR value is out of range, must be positive';
const arity = (cmd: string): string => `ERROR ERR wrong number of arguments for '${cmd}' command`;
const ABC = 'RPUSH l a b c';

describe('list commands', () => {
  it.each([
    ['LPUSH answers the new length', [], 'LPUSH l a b', 2, ['b', 'a']],
    ['LPUSH k a b c gives c b a', [], 'LPUSH l a b c', 3, ['c', 'b', 'a']],
    ['RPUSH appends', ['RPUSH l x'], 'RPUSH l a b', 3, ['x', 'a', 'b']],
    ['LPUSHX on a missing key does nothing', [], 'LPUSHX l a', 0, []],
    ['LPUSHX on a list pushes', ['RPUSH l x'], 'LPUSHX l a', 2, ['a', 'x']],
    ['RPUSHX on a list pushes several', ['RPUSH l x'], 'RPUSHX l a b', 3, ['x', 'a', 'b']],
    ['LPOP one', [ABC], 'LPOP l', 'a', ['b', 'c']],
    ['RPOP one', [ABC], 'RPOP l', 'c', ['a', 'b']],
    ['LPOP of a missing key is nil', [], 'LPOP l', null, []],
    ['LPOP with count', [ABC], 'LPOP l 2', ['a', 'b'], ['c']],
    ['RPOP with count past the length takes all', [ABC], 'RPOP l 5', ['c', 'b', 'a'], []],
    ['LPOP with count 0 is an empty array', [ABC], 'LPOP l 0', [], ['a', 'b', 'c']],
    ['LPOP with count on a missing key is nil', [], 'LPOP l 2', null, []],
    ['LTRIM keeps a range', [ABC], 'LTRIM l 1 -1', OK, ['b', 'c']],
    ['LTRIM to an empty range deletes', [ABC], 'LTRIM l 5 10', OK, []],
    ['LTRIM of a missing key', [], 'LTRIM l 0 1', OK, []],
    ['LSET by positive index', [ABC], 'LSET l 1 X', OK, ['a', 'X', 'c']],
    ['LSET by negative index', [ABC], 'LSET l -1 X', OK, ['a', 'b', 'X']],
    ['LREM all matches', ['RPUSH l x a x b x'], 'LREM l 0 x', 3, ['a', 'b']],
    ['LREM from the head', ['RPUSH l x a x b x'], 'LREM l 2 x', 2, ['a', 'b', 'x']],
    ['LREM from the tail', ['RPUSH l x a x b x'], 'LREM l -1 x', 1, ['x', 'a', 'x', 'b']],
    ['LREM with no match', [ABC], 'LREM l 0 zz', 0, ['a', 'b', 'c']],
    ['LREM of a missing key', [], 'LREM l 0 a', 0, []],
    ['LINSERT before the first match', ['RPUSH l a b a'], 'LINSERT l BEFORE a X', 4, ['X', 'a', 'b', 'a']],
    ['LINSERT after, any case', ['RPUSH l a b a'], 'LINSERT l after b X', 4, ['a', 'b', 'X', 'a']],
    ['LINSERT after the last item', [ABC], 'LINSERT l AFTER c X', 4, ['a', 'b', 'c', 'X']],
    ['LINSERT without the pivot', [ABC], 'LINSERT l BEFORE zz X', -1, ['a', 'b', 'c']],
    ['LINSERT on a missing key', [], 'LINSERT l BEFORE a X', 0, []],
  ])('%s', (_name, setup, line, expected, after) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
    expect(reply(store, 'LRANGE l 0 -1')).toEqual(after);
  });

  it.each([
    ['LLEN', [ABC], 'LLEN l', 3],
    ['LLEN of a missing key', [], 'LLEN l', 0],
    ['LRANGE all', [ABC], 'LRANGE l 0 -1', ['a', 'b', 'c']],
    ['LRANGE clamps', [ABC], 'LRANGE l -100 100', ['a', 'b', 'c']],
    ['LRANGE start past stop', [ABC], 'LRANGE l 2 1', []],
    ['LRANGE start past the end', [ABC], 'LRANGE l 5 10', []],
    ['LRANGE with negative indices', [ABC], 'LRANGE l -2 -1', ['b', 'c']],
    ['LRANGE of a missing key', [], 'LRANGE l 0 -1', []],
    ['LRANGE with a non-integer', [ABC], 'LRANGE l a 1', NOT_INT],
    ['LRANGE with a leading zero', [ABC], 'LRANGE l 01 2', NOT_INT],
    ['LRANGE parses before the type check', ['HSET h f v'], 'LRANGE h x 1', NOT_INT],
    ['LINDEX', [ABC], 'LINDEX l 1', 'b'],
    ['LINDEX negative', [ABC], 'LINDEX l -1', 'c'],
    ['LINDEX out of range', [ABC], 'LINDEX l 3', null],
    ['LINDEX of a missing key, bad index', [], 'LINDEX l x', null],
    ['LINDEX with a bad index', [ABC], 'LINDEX l x', NOT_INT],
    ['LSET of a missing key', [], 'LSET l 0 x', 'ERROR ERR no such key'],
    ['LSET out of range', [ABC], 'LSET l 3 x', 'ERROR ERR index out of range'],
    ['LSET with a bad index', [ABC], 'LSET l x v', NOT_INT],
    ['LTRIM with a bad index on a missing key', [], 'LTRIM l x 1', NOT_INT],
    ['LREM with a bad count', [ABC], 'LREM l x a', NOT_INT],
    ['LPOP with a negative count', [ABC], 'LPOP l -1', NOT_POSITIVE],
    ['LPOP with a non-integer count', [], 'LPOP l x', NOT_POSITIVE],
    ['LPOP with two counts', [ABC], 'LPOP l 1 2', arity('lpop')],
    ['LPOP checks the count before the type', ['HSET h f v'], 'LPOP h x', NOT_POSITIVE],
    ['LPUSH without a value', [], 'LPUSH l', arity('lpush')],
    ['LRANGE with one index', [ABC], 'LRANGE l 0', arity('lrange')],
    ['LSET with a missing value', [ABC], 'LSET l 0', arity('lset')],
    ['LINSERT reads BEFORE/AFTER before the key', ['HSET h f v'], 'LINSERT h MIDDLE a X', 'ERROR ERR syntax error'],
    ['LPOS the first match', ['RPUSH l a b c a b c a'], 'LPOS l a', 0],
    ['LPOS by rank', ['RPUSH l a b c a b c a'], 'LPOS l a RANK 2', 3],
    ['LPOS from the tail', ['RPUSH l a b c a b c a'], 'LPOS l a RANK -1', 6],
    ['LPOS from the tail with a count', ['RPUSH l a b c a b c a'], 'LPOS l a RANK -2 COUNT 2', [3, 0]],
    ['LPOS COUNT 0 is every match', ['RPUSH l a b c a b c a'], 'LPOS l a COUNT 0', [0, 3, 6]],
    ['LPOS MAXLEN bounds the comparisons', ['RPUSH l a b c a b c a'], 'LPOS l a COUNT 0 MAXLEN 4', [0, 3]],
    // As redis-server 7.0.15: the item just past MAXLEN is not compared, from either end.
    ['LPOS MAXLEN stops before a match just past it', ['RPUSH l a b c a b c a'], 'LPOS l a COUNT 0 MAXLEN 3', [0]],
    ['LPOS MAXLEN from the tail stops before a match just past it', ['RPUSH l a b c a b c a'], 'LPOS l a RANK -1 COUNT 0 MAXLEN 3', [6]],
    ['LPOS past the last match', ['RPUSH l a b c a b c a'], 'LPOS l a RANK 10', null],
    ['LPOS with a count and no match', [ABC], 'LPOS l z COUNT 3', []],
    ['LPOS of a missing key', [], 'LPOS l a', null],
    ['LPOS of a missing key with a count', [], 'LPOS l a COUNT 1', []],
    ['LPOS RANK -2^63 as Redis 7.0: the first from the tail', ['RPUSH l a b a'], 'LPOS l a RANK -9223372036854775808', 2],
    ['LPOS RANK 0', [], 'LPOS l a RANK 0', "ERROR ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"],
    ['LPOS a negative COUNT', [ABC], 'LPOS l a COUNT -1', "ERROR ERR COUNT can't be negative"],
    ['LPOS a COUNT that is no number', [ABC], 'LPOS l a COUNT x', "ERROR ERR COUNT can't be negative"],
    ['LPOS a negative MAXLEN', [ABC], 'LPOS l a MAXLEN -1', "ERROR ERR MAXLEN can't be negative"],
    ['LPOS a RANK that is no number', [ABC], 'LPOS l a RANK x', NOT_INT],
    ['LPOS an option without its value', [ABC], 'LPOS l a RANK', 'ERROR ERR syntax error'],
    ['LPOS reads options before the type', ['HSET h f v'], 'LPOS h a RANK 0', "ERROR ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"],
  ])('%s', (_name, setup, line, expected) => {
    const { store } = makeStore();
    replies(store, setup);
    expect(reply(store, line)).toEqual(expected);
  });

  it.each([
    ['LPUSH h a'], ['RPUSH h a'], ['LPUSHX h a'], ['RPUSHX h a'], ['LPOP h'], ['RPOP h 2'], ['LLEN h'],
    ['LRANGE h 0 1'], ['LINDEX h 0'], ['LSET h 0 x'], ['LTRIM h 0 1'], ['LREM h 0 x'],
    ['LINSERT h BEFORE a x'], ['LPOS h a'], ['LPOS h a COUNT 1'],
  ])('%s on a hash is WRONGTYPE', (line) => {
    const { store } = makeStore();
    exec(store, 'HSET h f v');
    expect(reply(store, line)).toBe(WRONGTYPE);
  });

  it.each([
    ['popping the last element', 'RPOP l'],
    ['popping with a count', 'LPOP l 10'],
    ['trimming to nothing', 'LTRIM l 1 0'],
    ['removing every element', 'LREM l 0 a'],
  ])('deletes the list when %s and leaves no memory', (_name, line) => {
    const { store } = makeStore();
    exec(store, 'RPUSH l a');
    exec(store, line);
    expect(reply(store, 'EXISTS l')).toBe(0);
    expect(store.keysMemory).toBe(0);
    expect(store.tombstone('l')).toBeDefined();
  });

  it.each([
    ['LPUSHX on a missing key', 'LPUSHX x a'],
    ['LPOP of a missing key', 'LPOP x'],
    ['LPOP with count 0', 'LPOP l 0'],
    ['LSET of the same value', 'LSET l 0 a'],
    ['LTRIM keeping all', 'LTRIM l 0 -1'],
    ['LREM without a match', 'LREM l 0 zz'],
    ['LRANGE', 'LRANGE l 0 -1'],
    ['LINDEX', 'LINDEX l 0'],
    ['LINSERT without the pivot', 'LINSERT l BEFORE zz x'],
    ['LPOS', 'LPOS l a'],
  ])('%s ships no effect', (_name, line) => {
    const { store } = makeStore();
    exec(store, 'RPUSH l a b');
    expect(exec(store, line).effect).toBeUndefined();
  });

  it('keeps binary elements byte-exact', () => {
    const { store } = makeStore();
    const values = ['\x00', '\xff\xfe', '\xe2\x82', ''];
    const r = executeCommand(store, { name: 'RPUSH', key: '\x80k', args: values });
    expect(r.reply).toBe(4);
    expect(executeCommand(store, { name: 'LRANGE', key: '\x80k', args: ['0', '-1'] }).reply).toEqual(values);
  });
});
