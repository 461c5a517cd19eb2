import { expect } from 'vitest';
import type { TestClient } from './client.js';
import { checkLedger } from './checker.js';
import { History } from './history.js';

/**
 * What writers were told: the acknowledged writes, and the pushes whose outcome is unknown (a
 * failed call that may have been applied), over a full History of every operation (invoke,
 * outcome, times) that the checker (checker.ts) judges reads and final states against.
 */
export class Ledger {
  readonly history = new History();
  /** Per hash key: the value of its last acknowledged HSET. */
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
}

export interface Workers {
  stop(): Promise<void>;
  /** Writes (HSET + RPUSH pairs) completed so far, acknowledged or not. */
  writes(): number;
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
    for (let i = 0; running; i++) {
      const live = entries();
      if (live.length === 0) break;
      const client = live[(i + w) % live.length]!;
      const key = options.hashKeys ? `${prefix}:${w}:k${i % options.hashKeys}` : `${prefix}:${w}:${i}`;
      const value = `v${i}`;
      const item = `${w}.${i}`;
      const hop = h.invoke(`w${w}`, 'hset', key, value, i, client.addr);
      const lop = h.invoke(`w${w}`, 'rpush', list, item, i, client.addr);
      const [hs, ls] = await Promise.allSettled([client.run('HSET', key, 'f', value), client.run('RPUSH', list, item)]);
      if (hs.status === 'fulfilled') {
        h.ok(hop);
        ledger.hashes.set(key, value);
      } else {
        h.fail(hop, hs.reason);
        ledger.fail(hs.reason);
      }
      const entry = ledger.list(list);
      if (ls.status === 'fulfilled') {
        h.ok(lop);
        entry.acked.push(item);
      } else {
        h.fail(lop, ls.reason);
        entry.unsure.add(item);
        ledger.fail(ls.reason);
      }
      writes++;
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
