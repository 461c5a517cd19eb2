import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { BUCKET_SPAN, RING_END } from './key-buckets.js';
import type { Store } from './store.js';
import { makeStore, putHash, putList } from './testing/fixtures.js';

/** Walks [from, to) page by page and returns every key seen, with the page count. */
function walkAll(store: Store, from: number, to: number, count: number, filter?: (k: string) => boolean) {
  const seen: string[] = [];
  let pos = from;
  let pages = 0;
  while (pos < to) {
    const page = store.scan(pos, to, count, filter && ((k) => filter(k)));
    expect(page.next).toBeGreaterThan(pos); // always progresses
    seen.push(...page.keys);
    pos = page.next;
    pages++;
  }
  return { seen, pages };
}

describe('Store.scan', () => {
  it('returns keys in bucket order and stops at a bucket boundary once count is reached', () => {
    const { store } = makeStore();
    putHash(store, `@${BUCKET_SPAN * 3 + 5}`, { f: 'v' });
    putHash(store, '@10', { f: 'v' });
    putHash(store, '@20', { f: 'v' });
    putHash(store, `@${BUCKET_SPAN + 1}`, { f: 'v' });
    const first = store.scan(0, RING_END, 1);
    // The first bucket holds two keys: a page never splits a bucket.
    expect(first.keys.sort()).toEqual(['@10', '@20']);
    expect(first.next).toBe(BUCKET_SPAN);
    const second = store.scan(first.next, RING_END, 1);
    expect(second).toEqual({ keys: [`@${BUCKET_SPAN + 1}`], next: BUCKET_SPAN * 2 });
    const third = store.scan(second.next, RING_END, 10);
    expect(third).toEqual({ keys: [`@${BUCKET_SPAN * 3 + 5}`], next: RING_END });
  });

  it.each([
    ['a range inside one bucket', 15, 25, ['@20']],
    ['a range from the middle of a bucket', 11, BUCKET_SPAN * 2, ['@20', `@${BUCKET_SPAN + 1}`]],
    ['a range ending mid-bucket excludes keys past it', 0, BUCKET_SPAN + 1, ['@10', '@20']],
    ['the last position of the ring', RING_END - 1, RING_END, [`@${RING_END - 1}`]],
    ['an empty range', 30, 30, []],
  ])('filters exact positions at partial buckets: %s', (_name, from, to, expected) => {
    const { store } = makeStore();
    for (const k of ['@10', '@20', `@${BUCKET_SPAN + 1}`, `@${RING_END - 1}`]) putHash(store, k, { f: 'v' });
    const page = store.scan(from, to, 1000);
    expect(page.keys.sort()).toEqual([...expected].sort());
    expect(page.next).toBe(to);
  });

  it('covers every key exactly once across pages, for small and large counts', () => {
    const { store } = makeStore();
    const random = new SeededRandom(9);
    const keys = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      // Crowd a few buckets and scatter the rest.
      const pos = i % 3 === 0 ? random.int(4) * BUCKET_SPAN + random.int(BUCKET_SPAN) : random.int(RING_END);
      const key = `@${pos}:${i}`;
      keys.add(key);
      if (i % 2 === 0) putHash(store, key, { f: 'v' });
      else putList(store, key, ['a']);
    }
    for (const count of [1, 7, 100, 5000]) {
      const { seen, pages } = walkAll(store, 0, RING_END, count);
      expect(seen).toHaveLength(keys.size);
      expect(new Set(seen)).toEqual(keys);
      if (count === 1) expect(pages).toBeGreaterThan(100);
    }
  });

  it('applies the filter and still covers the matching keys exactly once', () => {
    const { store } = makeStore();
    for (let i = 0; i < 500; i++) putHash(store, `key:${i}`, { f: 'v' });
    const { seen } = walkAll(store, 0, RING_END, 3, (k) => k.endsWith('7'));
    expect(seen.sort()).toEqual(
      Array.from({ length: 500 }, (_, i) => `key:${i}`)
        .filter((k) => k.endsWith('7'))
        .sort(),
    );
  });

  it('bounds the work of one page when the filter rejects most keys', () => {
    const { store } = makeStore({ scanExamineFactor: 10 });
    for (let i = 0; i < 200; i++) putHash(store, `@${i * BUCKET_SPAN}`, { f: 'v' });
    const page = store.scan(0, RING_END, 2, () => false);
    expect(page.keys).toEqual([]);
    expect(page.next).toBe(20 * BUCKET_SPAN); // stopped after 20 examined, one per bucket
  });

  it('looks at no more than scanMaxExamine keys whatever count asks', () => {
    const { store } = makeStore({ scanMaxExamine: 30 });
    for (let i = 0; i < 200; i++) putHash(store, `@${i * BUCKET_SPAN}`, { f: 'v' });
    const page = store.scan(0, RING_END, 1_000_000);
    expect(page.keys).toHaveLength(30); // one key per bucket: stopped at the 30th
    expect(page.next).toBe(30 * BUCKET_SPAN);
    expect(walkAll(store, 0, RING_END, 1_000_000).seen).toHaveLength(200);
  });

  it('deletes at most scanExpireChunk expired keys per page and skips the rest', () => {
    const { store, clock, removed } = makeStore({ scanExpireChunk: 5 });
    for (let i = 0; i < 20; i++) {
      putHash(store, `@${i}`, { f: 'v' });
      const e = store.get(`@${i}`)!;
      store.setExpireAt(e, clock.now() + 5);
      store.commit(e);
    }
    putHash(store, '@100', { f: 'v' });
    clock.advance(5);
    expect(store.scan(0, RING_END, 1000).keys).toEqual(['@100']); // the others read as gone
    expect(removed.filter((r) => r.reason === 'expired')).toHaveLength(5);
    expect(store.size).toBe(16);
  });

  it('gives an HSCAN page at most scanMaxExamine fields whatever count asks', () => {
    const { store } = makeStore({ scanMaxExamine: 600 });
    putHash(store, 'h', Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`f${i}`, 'v'])));
    const first = store.scanHash('h', '0', 1_000_000)!;
    expect(first.pairs).toHaveLength(2 * 600);
    const second = store.scanHash('h', first.next, 1_000_000)!;
    expect(second.pairs).toHaveLength(2 * 600);
    expect(new Set([...first.pairs, ...second.pairs].filter((_, i) => i % 2 === 0)).size).toBe(1200);
  });

  it('skips and deletes expired keys', () => {
    const { store, clock } = makeStore();
    putHash(store, '@1', { f: 'v' });
    putHash(store, '@2', { f: 'v' });
    const e = store.get('@1')!;
    store.setExpireAt(e, clock.now() + 5);
    store.commit(e);
    clock.advance(5);
    expect(store.scan(0, RING_END, 10).keys).toEqual(['@2']);
    expect(store.size).toBe(1);
  });

  it('rangeChunks yields bounded chunks that together hold every key in the range', () => {
    const { store } = makeStore();
    for (let i = 0; i < 300; i++) putHash(store, `@${i * 1000}`, { f: 'v' });
    const chunks = [...store.rangeChunks(0, 150_000, 16)];
    const all = chunks.flat();
    expect(all.sort()).toEqual(Array.from({ length: 150 }, (_, i) => `@${i * 1000}`).sort());
    // One bucket (65536 positions) holds ~66 of these keys: a chunk is at most one bucket.
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(66);
  });
});
