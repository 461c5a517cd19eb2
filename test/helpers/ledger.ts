import { expect } from 'vitest';
import type { TestClient } from './client.js';

/**
 * What writers were told: the acknowledged writes, and the pushes whose outcome is unknown (a
 * failed call that may have been applied). The checker compares the cluster against it.
 */
export class Ledger {
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

/**
 * Runs `writers` concurrent loops until stop(): each writes distinct hash keys (HSET) and
 * numbered pushes to one of `lists` lists (RPUSH, one writer per list so its order is known),
 * through an entry node picked from `entries()` (the nodes up now).
 */
export function startWriters(
  entries: () => TestClient[],
  ledger: Ledger,
  options: { writers?: number; lists?: number; prefix?: string } = {},
): { stop(): Promise<void>; writes(): number } {
  const writers = options.writers ?? 4;
  const prefix = options.prefix ?? 'w';
  let running = true;
  let writes = 0;
  const loops = Array.from({ length: writers }, async (_, w) => {
    const list = `${prefix}:list:${w % (options.lists ?? writers)}`;
    for (let i = 0; running; i++) {
      const live = entries();
      if (live.length === 0) break;
      const client = live[(i + w) % live.length]!;
      const key = `${prefix}:${w}:${i}`;
      const item = `${w}.${i}`;
      const [h, l] = await Promise.allSettled([client.run('HSET', key, 'f', `v${i}`), client.run('RPUSH', list, item)]);
      if (h.status === 'fulfilled') ledger.hashes.set(key, `v${i}`);
      else ledger.fail(h.reason);
      const entry = ledger.list(list);
      if (l.status === 'fulfilled') entry.acked.push(item);
      else {
        entry.unsure.add(item);
        ledger.fail(l.reason);
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
 * Every acknowledged HSET reads back through `reader`, and every list holds exactly its
 * acknowledged pushes in order (pushes of unknown outcome may also be there, once each).
 */
export async function expectLedgerHolds(reader: TestClient, ledger: Ledger): Promise<void> {
  const missing: string[] = [];
  const keys = [...ledger.hashes];
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200);
    const replies = await Promise.all(chunk.map(([key]) => reader.run('HMGET', key, 'f') as Promise<Array<Buffer | null>>));
    chunk.forEach(([key, value], j) => {
      if (replies[j]![0]?.toString() !== value) missing.push(key);
    });
  }
  expect(missing).toEqual([]);
  for (const [list, { acked, unsure }] of ledger.lists) {
    const items = ((await reader.run('LRANGE', list, '0', '-1')) as Buffer[]).map(String);
    expect(new Set(items).size).toBe(items.length); // nothing applied twice
    expect(items.filter((x) => !unsure.has(x))).toEqual(acked);
  }
}
