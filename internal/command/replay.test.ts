import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { isGokvError } from '../errors/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { executeCommand } from './execute.js';
import type { CommandRequest, Effect } from './spec.js';

const KEYS = ['a', 'b', 'c', 'd', '\xff\x00bin'];
const WORDS = ['x', 'y', 'z', '1', '-2', '\xc3\x28', ''];

/**
 * One random request from a mix of writes (including ones that fail or change nothing) and reads;
 * with `listsOnly`, list commands and key-wide writes only, so that keys stay lists long enough
 * for LREM, LINSERT and LSET to find what they look for.
 */
function randomRequest(random: SeededRandom, now: number, listsOnly = false): CommandRequest {
  const pick = <T>(items: readonly T[]): T => items[random.int(items.length)]!;
  const key = pick(KEYS);
  const word = (): string => pick(WORDS);
  const small = (): string => String(random.int(7) - 3);
  // Lists and the writes that touch any key.
  const listOps: Array<() => CommandRequest> = [
    () => ({ name: 'LPUSH', key, args: [word(), word()] }),
    () => ({ name: 'RPUSH', key, args: [word()] }),
    () => ({ name: 'LPUSHX', key, args: [word()] }),
    () => ({ name: 'RPUSHX', key, args: [word(), word()] }),
    () => ({ name: 'LPOP', key, args: random.int(2) === 0 ? [] : [String(random.int(4))] }),
    () => ({ name: 'RPOP', key, args: random.int(2) === 0 ? [] : [String(random.int(4))] }),
    () => ({ name: 'LSET', key, args: [small(), word()] }),
    () => ({ name: 'LTRIM', key, args: [small(), small()] }),
    () => ({ name: 'LREM', key, args: [small(), word()] }),
    () => ({ name: 'LINSERT', key, args: [pick(['BEFORE', 'AFTER']), word(), word()] }),
    () => ({ name: 'DEL', key, args: random.int(2) === 0 ? [] : [pick(KEYS)] }),
    () => ({ name: 'UNLINK', key, args: random.int(2) === 0 ? [] : [pick(KEYS)] }),
    () => ({ name: 'EXPIRE', key, args: [pick(['1', '3', '-1', '500ms', '2s']), ...(random.int(3) === 0 ? [pick(['NX', 'XX', 'GT', 'LT'])] : [])] }),
    () => ({ name: 'EXPIREAT', key, args: [String(Math.floor(now / 1000) + random.int(5) - 1)] }),
    () => ({ name: 'PEXPIRE', key, args: [String(random.int(3000))] }),
    () => ({ name: 'PEXPIREAT', key, args: [String(now + random.int(4000) - 500)] }),
    () => ({ name: 'PERSIST', key, args: [] }),
    // Reads: on the leader they may expire keys lazily; the replica never sees them.
    () => ({ name: 'LRANGE', key, args: ['0', '-1'] }),
    () => ({ name: 'LPOS', key, args: [word(), 'COUNT', '0'] }),
    () => ({ name: 'PEXPIRETIME', key, args: [] }),
  ];
  if (listsOnly) return pick(listOps)();
  const otherOps: Array<() => CommandRequest> = [
    () => ({ name: 'HSET', key, args: [word(), word(), word(), word()] }),
    () => ({ name: 'HSETNX', key, args: [word(), word()] }),
    () => ({ name: 'HMSET', key, args: [word(), word()] }),
    () => ({ name: 'HDEL', key, args: [word(), word()] }),
    () => ({ name: 'HINCRBY', key, args: [pick(['1', '-2', 'n']), small()] }),
    () => ({ name: 'HINCRBYFLOAT', key, args: [pick(['1', 'f']), pick(['0.1', '-2.5', '1e3'])] }),
    () => ({ name: 'INCRBYFLOAT', key, args: [pick(['0.1', '-0.3', '7'])] }),
    () => ({ name: 'SET', key, args: [word(), ...pick([[], ['EX', '2'], ['PX', '700'], ['KEEPTTL'], ['NX'], ['XX', 'GET'], ['PXAT', String(now + 900)]])] }),
    () => ({ name: 'SETNX', key, args: [word()] }),
    () => ({ name: 'SETEX', key, args: [pick(['1', '3']), word()] }),
    () => ({ name: 'INCRBY', key, args: [small()] }),
    () => ({ name: pick(['INCR', 'DECR']), key, args: [] }),
    () => ({ name: 'APPEND', key, args: [word()] }),
    // Offsets inside, at and past the end (zero-padding); an empty word writes nothing.
    () => ({ name: 'SETRANGE', key, args: [pick(['0', '1', '2', '4', '9', '-1']), word()] }),
    () => ({ name: pick(['GETRANGE', 'SUBSTR']), key, args: [small(), small()] }),
    () => ({ name: 'HRANDFIELD', key, args: pick([[], ['2'], ['-3', 'WITHVALUES']]) }),
    () => ({ name: 'GETDEL', key, args: [] }),
    () => ({ name: 'GETSET', key, args: [word()] }),
    () => ({ name: 'GETEX', key, args: pick([[], ['PX', String(random.int(2000) + 1)], ['PERSIST'], ['PXAT', String(now + random.int(3000) - 500)]]) }),
    () => ({ name: 'MSET', key, args: [word(), pick(KEYS), word()] }),
    () => ({ name: 'HGETALL', key, args: [] }),
    () => ({ name: 'GET', key, args: [] }),
    () => ({ name: 'MGET', key, args: [pick(KEYS)] }),
    () => ({ name: 'TTL', key, args: [] }),
    () => ({ name: 'SCAN', key: '0', args: ['100'] }),
  ];
  return pick([...listOps, ...otherOps])();
}

/** Runs 4000 random requests on a leader, applies each shipped effect on a replica, compares. */
function replay(seed: number, listsOnly: boolean): Effect[] {
  const leader = makeStore({}, seed);
  const replica = makeStore({}, seed + 100);
  const random = new SeededRandom(seed);
  const shipped: Effect[] = [];
  for (let step = 0; step < 4000; step++) {
    const ms = random.int(4) === 0 ? random.int(1500) : 0;
    leader.clock.advance(ms);
    replica.clock.advance(ms);
    const request = randomRequest(random, leader.clock.now(), listsOnly);
    let effect: Effect | undefined;
    try {
      effect = executeCommand(leader.store, request).effect;
    } catch (err) {
      if (!isGokvError(err)) throw err;
      continue; // a refused command changes nothing and ships nothing
    }
    if (effect === undefined) continue;
    shipped.push(effect);
    executeCommand(replica.store, effect, { version: effect.version });
    if (step % 50 === 0) {
      for (const k of KEYS) expect(replica.store.exportKey(k), `key ${k} at step ${step}`).toEqual(leader.store.exportKey(k));
    }
  }
  for (const k of KEYS) expect(replica.store.exportKey(k)).toEqual(leader.store.exportKey(k));
  expect(replica.store.usedMemory).toBe(leader.store.usedMemory);
  return shipped;
}

describe('effects replayed on a replica', () => {
  it.each([[1], [2], [3], [4]])('yield the identical state for every key (seed %i)', (seed) => {
    const shipped = replay(seed, false);
    // The mix must really exercise the rewrites, or the test proves little.
    const names = new Set(shipped.map((e) => e.name));
    for (const n of ['HSET', 'DEL', 'PEXPIREAT', 'LPOP', 'LTRIM', 'PERSIST', 'SET', 'APPEND', 'SETRANGE', 'MSET']) expect(names).toContain(n);
    for (const n of ['EXPIRE', 'EXPIREAT', 'UNLINK', 'HINCRBY', 'INCR', 'INCRBY', 'DECR', 'SETEX', 'SETNX', 'GETDEL', 'GETSET', 'GETEX', 'INCRBYFLOAT', 'HINCRBYFLOAT']) expect(names).not.toContain(n);
    // A SET effect carries only the value and an absolute expiry: NX/XX/GET/EX were decided here.
    for (const e of shipped.filter((x) => x.name === 'SET')) expect(e.args.length === 1 || e.args[1] === 'PXAT').toBe(true);
  });

  it.each([[5], [6]])('yield the identical state for list commands (seed %i)', (seed) => {
    const names = new Set(replay(seed, true).map((e) => e.name));
    for (const n of ['LPUSH', 'RPOP', 'LSET', 'LTRIM', 'LREM', 'LINSERT', 'DEL', 'PEXPIREAT']) expect(names).toContain(n);
  });

  it('versions only grow per key along the shipped effects', () => {
    const leader = makeStore();
    const random = new SeededRandom(11);
    const last = new Map<string, number>();
    for (let step = 0; step < 1000; step++) {
      if (random.int(5) === 0) leader.clock.setWallClock(leader.clock.now() - random.int(2000)); // steps back
      try {
        const effect = executeCommand(leader.store, randomRequest(random, leader.clock.now())).effect;
        if (effect === undefined) continue;
        const others = effect.name === 'DEL' ? effect.args : effect.name === 'MSET' ? effect.args.filter((_, i) => i % 2 === 1) : [];
        for (const k of [effect.key, ...others]) {
          expect(effect.version).toBeGreaterThan(last.get(k) ?? 0);
          last.set(k, effect.version);
        }
      } catch (err) {
        if (!isGokvError(err)) throw err;
      }
    }
  });
});
