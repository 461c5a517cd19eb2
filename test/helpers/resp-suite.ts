import type { Redis } from 'ioredis';
import { expect } from 'vitest';

/**
 * The command checks run against one node and through every node of a cluster: each command
 * of the RESP surface with its Redis reply type, errors and binary values. Keys are prefixed so
 * several runs share a keyspace.
 */
export async function checkCommands(redis: Redis, p: string): Promise<void> {
  // Strings.
  expect(await redis.set(`${p}s`, 'v')).toBe('OK');
  expect(await redis.get(`${p}s`)).toBe('v');
  expect(await redis.get(`${p}missing`)).toBeNull();
  expect(await redis.set(`${p}s`, 'w', 'NX')).toBeNull();
  expect(await redis.set(`${p}s`, 'w', 'XX', 'GET')).toBe('v');
  expect(await redis.set(`${p}ex`, 'v', 'EX', 100)).toBe('OK');
  expect(await redis.ttl(`${p}ex`)).toBe(100);
  expect(await redis.set(`${p}ex`, 'w', 'KEEPTTL')).toBe('OK');
  expect(await redis.pttl(`${p}ex`)).toBeGreaterThan(90_000);
  expect(await redis.setnx(`${p}nx`, 'a')).toBe(1);
  expect(await redis.setnx(`${p}nx`, 'b')).toBe(0);
  expect(await redis.setex(`${p}sx`, 50, 'v')).toBe('OK');
  expect(await redis.psetex(`${p}psx`, 50_000, 'v')).toBe('OK');
  expect(await redis.ttl(`${p}sx`)).toBe(50);
  expect(await redis.getdel(`${p}nx`)).toBe('a');
  expect(await redis.exists(`${p}nx`)).toBe(0);
  expect(await redis.append(`${p}ap`, 'ab')).toBe(2);
  expect(await redis.append(`${p}ap`, 'cd')).toBe(4);
  expect(await redis.strlen(`${p}ap`)).toBe(4);
  expect(await redis.setrange(`${p}ap`, 6, 'xy')).toBe(8);
  expect(await redis.getrange(`${p}ap`, 2, -1)).toBe('cd\0\0xy');
  expect(await redis.call('SUBSTR', `${p}ap`, -100, -50)).toBe('a');
  expect(await redis.setrange(`${p}none`, 3, '')).toBe(0);
  expect(await redis.exists(`${p}none`)).toBe(0);
  await expect(redis.setrange(`${p}ap`, -1, 'x')).rejects.toThrow('ERR offset is out of range');
  expect(await redis.incr(`${p}n`)).toBe(1);
  expect(await redis.incrby(`${p}n`, 41)).toBe(42);
  expect(await redis.decr(`${p}n`)).toBe(41);
  expect(await redis.decrby(`${p}n`, 50)).toBe(-9);
  expect(await redis.mset(`${p}m1`, '1', `${p}m2`, '2', `${p}m3`, '3')).toBe('OK');
  expect(await redis.mget(`${p}m1`, `${p}nope`, `${p}m2`, `${p}m3`)).toEqual(['1', null, '2', '3']);
  expect(await redis.type(`${p}s`)).toBe('string');

  // Hashes: HGET of one field is a bulk string, HGETALL a flat array (ioredis makes it an object).
  expect(await redis.hset(`${p}h`, 'a', '1', 'b', '2')).toBe(2);
  expect(await redis.hget(`${p}h`, 'a')).toBe('1');
  expect(await redis.hget(`${p}h`, 'zz')).toBeNull();
  expect(await redis.hget(`${p}nohash`, 'a')).toBeNull();
  expect(await redis.hmget(`${p}h`, 'a', 'zz', 'b')).toEqual(['1', null, '2']);
  expect(await redis.hgetall(`${p}h`)).toEqual({ a: '1', b: '2' });
  expect(await redis.hgetall(`${p}nohash`)).toEqual({});
  expect(await redis.hsetnx(`${p}h`, 'a', '9')).toBe(0);
  expect(await redis.hmset(`${p}h`, 'c', '3')).toBe('OK');
  expect(await redis.hkeys(`${p}h`)).toEqual(['a', 'b', 'c']);
  expect(await redis.hvals(`${p}h`)).toEqual(['1', '2', '3']);
  expect(await redis.hlen(`${p}h`)).toBe(3);
  expect(await redis.hexists(`${p}h`, 'c')).toBe(1);
  expect(await redis.hstrlen(`${p}h`, 'c')).toBe(1);
  expect(await redis.hincrby(`${p}h`, 'a', 10)).toBe(11);
  expect(await redis.hdel(`${p}h`, 'a', 'zz')).toBe(1);
  expect(await redis.type(`${p}h`)).toBe('hash');
  // gokv's several-field HGET stays available: a flat [field, value, ...] array.
  expect(await redis.call('HGET', `${p}h`, 'b', 'zz', 'c')).toEqual(['b', '2', 'c', '3']);
  // HRANDFIELD (random: checked by shape); WITHVALUES is RESP2's flat array, even when forwarded.
  expect(['b', 'c']).toContain(await redis.hrandfield(`${p}h`));
  expect(await redis.hrandfield(`${p}nohash`)).toBeNull();
  expect(await redis.hrandfield(`${p}h`, 5)).toEqual(['b', 'c']);
  const drawn = (await redis.hrandfield(`${p}h`, -6, 'WITHVALUES')) as string[];
  expect(drawn).toHaveLength(12);
  for (let i = 0; i < drawn.length; i += 2) expect({ b: '2', c: '3' }[drawn[i]!]).toBe(drawn[i + 1]);
  await expect(redis.hrandfield(`${p}h`, -2_000_000)).rejects.toThrow(/^ERR value is out of range: HRANDFIELD count -2000000 answers more items than limits\.max_args/);

  // Lists.
  expect(await redis.rpush(`${p}l`, 'a', 'b', 'c')).toBe(3);
  expect(await redis.lpush(`${p}l`, 'z')).toBe(4);
  expect(await redis.lpushx(`${p}nolist`, 'a')).toBe(0);
  expect(await redis.rpushx(`${p}l`, 'd')).toBe(5);
  expect(await redis.lrange(`${p}l`, 0, -1)).toEqual(['z', 'a', 'b', 'c', 'd']);
  expect(await redis.llen(`${p}l`)).toBe(5);
  expect(await redis.lindex(`${p}l`, -1)).toBe('d');
  expect(await redis.lset(`${p}l`, 0, 'y')).toBe('OK');
  expect(await redis.lpop(`${p}l`)).toBe('y');
  expect(await redis.rpop(`${p}l`, 2)).toEqual(['d', 'c']);
  expect(await redis.lpop(`${p}nolist`, 2)).toBeNull();
  expect(await redis.lrem(`${p}l`, 0, 'a')).toBe(1);
  expect(await redis.ltrim(`${p}l`, 0, 0)).toBe('OK');
  expect(await redis.lrange(`${p}l`, 0, -1)).toEqual(['b']);
  expect(await redis.type(`${p}l`)).toBe('list');

  // Keys and expiry.
  expect(await redis.exists(`${p}s`, `${p}h`, `${p}nope`)).toBe(2);
  expect(await redis.expire(`${p}s`, 100)).toBe(1);
  expect(await redis.ttl(`${p}s`)).toBe(100);
  expect(await redis.pexpire(`${p}s`, 5000)).toBe(1);
  expect(await redis.pttl(`${p}s`)).toBeLessThanOrEqual(5000);
  expect(await redis.persist(`${p}s`)).toBe(1);
  expect(await redis.ttl(`${p}s`)).toBe(-1);
  expect(await redis.pexpireat(`${p}s`, Date.now() + 60_000)).toBe(1);
  expect(await redis.del(`${p}s`, `${p}h`, `${p}nope`)).toBe(2);
  expect(await redis.type(`${p}s`)).toBe('none');

  // Binary keys and values: every byte value, invalid UTF-8 included, round-trips.
  const bytes = Buffer.from([...Array(256).keys()].reverse());
  const key = Buffer.concat([Buffer.from(p), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
  expect(await redis.set(key, bytes)).toBe('OK');
  expect(await redis.getBuffer(key)).toEqual(bytes);
  expect(await redis.hset(`${p}bh`, Buffer.from([0xc3, 0x28]), bytes)).toBe(1);
  expect(await redis.hgetallBuffer(`${p}bh`)).toEqual({ [Buffer.from([0xc3, 0x28]).toString()]: bytes });
  expect(await redis.hgetBuffer(`${p}bh`, Buffer.from([0xc3, 0x28]))).toEqual(bytes);
  expect(await redis.rpush(`${p}bl`, bytes, Buffer.alloc(0))).toBe(2);
  expect(await redis.lrangeBuffer(`${p}bl`, 0, -1)).toEqual([bytes, Buffer.alloc(0)]);

  // Errors, as Redis words them; the connection goes on.
  await expect(redis.hset(`${p}l`, 'f', 'v')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
  await expect(redis.get(`${p}l`)).rejects.toThrow('WRONGTYPE');
  await expect(redis.call('HSET', `${p}h2`, 'f')).rejects.toThrow("ERR wrong number of arguments for 'hset' command");
  await expect(redis.call('NOSUCH', 'x')).rejects.toThrow("ERR unknown command 'NOSUCH'");
  await expect(redis.incr(`${p}ap`)).rejects.toThrow('ERR value is not an integer or out of range');
  await expect(redis.call('SET', `${p}x`, 'v', 'EX', '0')).rejects.toThrow("ERR invalid expire time in 'set' command");
  await expect(redis.call('SET', `${p}x`, 'v', 'NX', 'XX')).rejects.toThrow('ERR syntax error');
  expect(await redis.ping()).toBe('PONG');
}
