import { describe, expect, it } from 'vitest';
import { COMMANDS } from './table.js';

// Each command's arity written down by hand, as redis-server 7.0.15 reports it in COMMAND INFO
// (n: exactly n words with the name; -n: at least n). The arity tests in execute.test.ts read
// the arity from the same table they check, so a wrong entry there could never fail them.
const REDIS_ARITY: Readonly<Record<string, number>> = {
  DEL: -2, UNLINK: -2, EXISTS: -2, TYPE: 2, TTL: 2, PTTL: 2, EXPIRETIME: 2, PEXPIRETIME: 2, PERSIST: 2,
  PING: -1, EXPIRE: -3, PEXPIRE: -3, EXPIREAT: -3, PEXPIREAT: -3, SCAN: -2, HSET: -4, HMSET: -4, HSETNX: 4,
  HGET: 3, HMGET: -3, HGETALL: 2, HDEL: -3, HKEYS: 2, HVALS: 2, HLEN: 2, HEXISTS: 3, HSTRLEN: 3,
  HINCRBYFLOAT: 4, HINCRBY: 4, HRANDFIELD: -2, HSCAN: -3, LPUSH: -3, RPUSH: -3, LPUSHX: -3, RPUSHX: -3,
  LPOP: -2, RPOP: -2, LLEN: 2, LRANGE: 4, LINDEX: 3, LSET: 4, LTRIM: 4, LINSERT: 5, LPOS: -3, LREM: 4,
  GET: 2, SET: -3, SETNX: 3, SETEX: 4, PSETEX: 4, GETSET: 3, GETEX: -2, GETDEL: 2, STRLEN: 2, APPEND: 3,
  INCR: 2, DECR: 2, INCRBY: 3, DECRBY: 3, INCRBYFLOAT: 3, MGET: -2, MSET: -3, GETRANGE: 4, SUBSTR: 4,
  SETRANGE: 4, OBJECT: -2, MEMORY: -2,
};

// gokv's own forms (DESIGN.md section 4): HGET takes several fields and replies with a map.
const GOKV_ARITY: Readonly<Record<string, number>> = { HGET: -3 };

describe('the command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c.arity] as const))('%s has Redis 7.0\'s arity, or gokv\'s documented form', (name, arity) => {
    expect(arity).toBe(GOKV_ARITY[name] ?? REDIS_ARITY[name]);
  });

  it('knows every command written down here', () => {
    const known = new Set(COMMANDS.map((c) => c.name));
    expect(Object.keys(REDIS_ARITY).filter((name) => !known.has(name))).toEqual([]);
  });
});
