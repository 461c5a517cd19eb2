import { expect } from 'vitest';
import type { TestClient } from './client.js';
import { checkLedger } from './checker.js';
import { EXPIRE_MS, History, type Op } from './history.js';

/**
 * What writers were told: the acknowledged writes, and the pushes whose outcome is unknown (a
 * failed call that may have been applied), over a full History of every operation (invoke,
 * outcome, times) that the checker (checker.ts) judges reads and final states against.
 */
export class Ledger {
  readonly history = new History();
  /** Per hash key: the value of its last acknowledged HSET (keys a DEL was sent to are left out). */
  readonly hashes = new Map<string, string>();
  /** Per list: acknowledged pushes in order, and pushes whose outcome is unknown. */
  readonly lists = new Map<string, { acked: string[]; unsure: Set<string> }>();
  failures = 0;
  /** The first few failure messages, for a test's diagnostics. */
  readonly errors: string[] = [];

  fail(err: unknown): void {
    this.failures++;
    if (this.errors.length < 10) this.errors.push((err as Error)?.message ?? String(err));
  }

  list(name: string): { acked: string[]; unsure: Set<string> } {
    let entry = this.lists.get(name);
    if (entry === undefined) {
      entry = { acked: [], unsure: new Set() };
      this.lists.set(name, entry);
    }
    return entry;
  }
}

export interface WriterOptions {
  writers?: number;
  lists?: number;
  prefix?: string;
  /** Hash keys each writer cycles through (overwriting them); default: a new key every write. */
  hashKeys?: number;
  /**
   * Deletes too: every third hash write is a DEL (of the key it would have written, or with new
   * keys of the previous one), and every fifth round also writes a key of its own and expires
   * it (HSET, then PEXPIRE of EXPIRE_MS). An acknowledged delete or expiry must hold at the end.
   */
  deletes?: boolean;
  /** Pops too: every fourth round pops the head of its list (LPOP) instead of pushing. */
  pops?: boolean;
}

export interface Workers {
  stop(): Promise<void>;
  /** Writes (HSET + RPUSH pairs) completed so far, acknowledged or not. */
  writes(): number;
}

/** What an LPOP read: its item, or null for an empty list. */
const popped = (reply: unknown): string | null => (reply === null || reply === undefined ? null : String(reply));

/**
 * Runs `call` as operation `op` of the history; resolves whether it was acknowledged. `readOf`
 * gives what the operation read from its reply (an LPOP's item), if anything.
 */
async function record(h: History, op: Op, call: Promise<unknown>, ledger: Ledger, readOf?: (reply: unknown) => Op['read']): Promise<boolean> {
  try {
    const reply = await call;
    h.ok(op, readOf?.(reply), reply);
    return true;
  } catch (err) {
    h.fail(op, err);
    ledger.fail(err);
    return false;
  }
}

/**
 * Runs `writers` concurrent loops until stop(): each writes hash keys (HSET, one writer per key,
 * values numbered so their order is known) and numbered pushes to one of `lists` lists (RPUSH,
 * one writer per list), through an entry node picked from `entries()` (the nodes up now).
 */
export function startWriters(entries: () => TestClient[], ledger: Ledger, options: WriterOptions = {}): Workers {
  const writers = options.writers ?? 4;
  const prefix = options.prefix ?? 'w';
  const h = ledger.history;
  let running = true;
  let writes = 0;
  const loops = Array.from({ length: writers }, async (_, w) => {
    const list = `${prefix}:list:${w % (options.lists ?? writers)}`;
    const hashKey = (i: number) => (options.hashKeys ? `${prefix}:${w}:k${i % options.hashKeys}` : `${prefix}:${w}:${i}`);
    for (let i = 0; running; i++) {
      const live = entries();
      if (live.length === 0) break;
      const client = live[(i + w) % live.length]!;
      const deleting = options.deletes === true && i % 3 === 2;
      const key = deleting && !options.hashKeys ? hashKey(i - 1) : hashKey(i);
      const value = `v${i}`;
      const item = `${w}.${i}`;
      const hashWrite = deleting
        ? record(h, h.invoke(`w${w}`, 'del', key, undefined, i, client.addr), client.run('DEL', key), ledger)
        : record(h, h.invoke(`w${w}`, 'hset', key, value, i, client.addr), client.run('HSET', key, 'f', value), ledger);
      const popping = options.pops === true && i % 4 === 3;
      const push = popping
        ? record(h, h.invoke(`w${w}`, 'lpop', list, undefined, i, client.addr), client.run('LPOP', list), ledger, popped)
        : record(h, h.invoke(`w${w}`, 'rpush', list, item, i, client.addr), client.run('RPUSH', list, item), ledger);
      const expiring = options.deletes === true && i % 5 === 4 ? writeThenExpire(`${prefix}:${w}:x${i}`, `v${i}`, i, client) : undefined;
      const [hashAcked, pushAcked] = await Promise.all([hashWrite, push, expiring]);
      if (deleting) ledger.hashes.delete(key);
      else if (hashAcked) ledger.hashes.set(key, value);
      // Pops are judged from the history alone.
      if (!popping) {
        const entry = ledger.list(list);
        if (pushAcked) entry.acked.push(item);
        else entry.unsure.add(item);
      }
      writes++;
    }

    async function writeThenExpire(key: string, value: string, i: number, client: TestClient): Promise<void> {
      const set = h.invoke(`w${w}`, 'hset', key, value, i, client.addr);
      if (!(await record(h, set, client.run('HSET', key, 'f', value), ledger))) return;
      const expire = h.invoke(`w${w}`, 'expire', key, undefined, i, client.addr);
      await record(h, expire, client.run('PEXPIRE', key, String(EXPIRE_MS)), ledger);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    writes: () => writes,
  };
}

/**
 * Runs `readers` concurrent loops until stop(), each reading a random key already written
 * (HMGET of a hash's field, or LRANGE of a list) through a random entry node, recording what
 * it read in the ledger's history for the checker.
 */
export function startReaders(entries: () => TestClient[], ledger: Ledger, readers = 2): Workers {
  const h = ledger.history;
  let running = true;
  let reads = 0;
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
  const loops = Array.from({ length: readers }, async (_, r) => {
    while (running) {
      const live = entries();
      const client = pick(live);
      if (client === undefined) break;
      const writes = h.ops;
      const target = writes[Math.floor(Math.random() * writes.length)];
      if (target === undefined || (target.kind !== 'hset' && target.kind !== 'rpush')) {
        await new Promise((res) => setImmediate(res));
        continue;
      }
      if (target.kind === 'hset') {
        const op = h.invoke(`r${r}`, 'hget', target.key);
        try {
          const got = (await client.run('HMGET', target.key, 'f')) as Array<Buffer | null>;
          h.ok(op, got[0] === null || got[0] === undefined ? null : got[0].toString());
        } catch (err) {
          h.fail(op, err);
        }
      } else {
        const op = h.invoke(`r${r}`, 'lrange', target.key);
        try {
          h.ok(op, ((await client.run('LRANGE', target.key, '0', '-1')) as Buffer[]).map(String));
        } catch (err) {
          h.fail(op, err);
        }
      }
      reads++;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    writes: () => reads,
  };
}

/**
 * Every acknowledged HSET reads back through `reader` (the last acknowledged value, or a later
 * one of unknown outcome), every list holds exactly its acknowledged pushes in order (pushes
 * of unknown outcome may also be there, once each), and no read returned a value never written.
 */
export async function expectLedgerHolds(reader: TestClient, ledger: Ledger): Promise<void> {
  const report = await checkLedger(reader, ledger);
  expect(report.lost).toEqual([]);
  expect(report.duplicated).toEqual([]);
  expect(report.badReads).toEqual([]);
}
