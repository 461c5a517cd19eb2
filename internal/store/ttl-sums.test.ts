import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { BUCKET_SPAN, RING_END } from './key-buckets.js';
import type { Store } from './store.js';
import { makeStore, putHash } from './testing/fixtures.js';

/** The fixture clock's start (testing/fixtures.ts). */
const T0 = 1_700_000_000_000;
/** The furthest expiry EXPIRE accepts: 2^53 - 1 ms. */
const FAR = Number.MAX_SAFE_INTEGER;

const whole = (store: Store) => store.countKeysIn(0, RING_END);

function setTtl(store: Store, key: string, expireAtMs: number): void {
  const e = store.get(key)!;
  store.setExpireAt(e, expireAtMs);
  store.commit(e);
}

describe('the sum of remaining TTLs (INFO avg_ttl)', () => {
  it('follows a TTL being set, changed, removed by PERSIST, and its key deleted or expired', () => {
    const { store, clock } = makeStore();
    putHash(store, '@1', { f: 'v' });
    putHash(store, '@2', { f: 'v' });
    expect(whole(store)).toEqual({ keys: 2, expires: 0, ttlSumMs: 0 });
    setTtl(store, '@1', T0 + 10_000);
    setTtl(store, '@2', T0 + 30_000);
    expect(whole(store)).toEqual({ keys: 2, expires: 2, ttlSumMs: 40_000 });
    setTtl(store, '@2', T0 + 20_000); // changed: the old deadline leaves the sum
    expect(whole(store)).toEqual({ keys: 2, expires: 2, ttlSumMs: 30_000 });
    clock.advance(1_000);
    expect(whole(store).ttlSumMs).toBe(28_000);
    setTtl(store, '@1', 0); // PERSIST
    expect(whole(store)).toEqual({ keys: 2, expires: 1, ttlSumMs: 19_000 });
    store.delete('@2');
    expect(whole(store)).toEqual({ keys: 1, expires: 0, ttlSumMs: 0 });
    setTtl(store, '@1', T0 + 5_000);
    clock.advance(5_000);
    expect(whole(store)).toEqual({ keys: 1, expires: 1, ttlSumMs: -1_000 }); // expired, not collected yet
    expect(store.get('@1')).toBeUndefined(); // lazy expiry collects it
    expect(whole(store)).toEqual({ keys: 0, expires: 0, ttlSumMs: 0 });
  });

  it('follows keys replaced, merged from a transfer, forgotten, evicted and expired by the active cycle', () => {
    const { store, clock } = makeStore({ maxMemoryBytes: 10_000, evictionPolicy: 'volatile-lru' });
    putHash(store, '@1', { f: 'v' });
    setTtl(store, '@1', T0 + 10_000);
    // SET over a hash: the replaced key leaves whole, the new one has no TTL.
    const s = store.stringForOverwrite('@1');
    s.value.set('x');
    store.commit(s);
    expect(whole(store)).toEqual({ keys: 1, expires: 0, ttlSumMs: 0 });
    store.mergeKey('@2', { type: 'string', value: ['a'], expireAtMs: T0 + 4_000, version: T0 });
    store.mergeKey('@3', { type: 'string', value: ['b'], expireAtMs: T0 + 6_000, version: T0 });
    expect(whole(store)).toEqual({ keys: 3, expires: 2, ttlSumMs: 10_000 });
    store.mergeKey('@3', { type: 'string', value: ['b'], expireAtMs: T0 + 9_000, version: T0 + 1 });
    expect(whole(store).ttlSumMs).toBe(13_000);
    expect(store.forget('@3', T0 + 1)).toBe(true);
    expect(whole(store)).toEqual({ keys: 2, expires: 1, ttlSumMs: 4_000 });
    clock.advance(5_000);
    store.activeExpireCycle(100);
    expect(whole(store)).toEqual({ keys: 1, expires: 0, ttlSumMs: 0 });
    putHash(store, '@4', { f: 'v'.repeat(20_000) }); // over max_memory: volatile-lru evicts a key with a TTL
    setTtl(store, '@4', T0 + 60_000);
    expect(store.evictToLimit()).toBe(true);
    expect(whole(store)).toEqual({ keys: 1, expires: 0, ttlSumMs: 0 });
  });

  it('stays exact with deadlines near 2^53, where one sum of whole deadlines would round', () => {
    const { store } = makeStore();
    putHash(store, '@1', { f: 'v' });
    putHash(store, '@2', { f: 'v' });
    // T0 + 1002 + FAR is odd and above 2^53: a single float sum would drop its last bit.
    setTtl(store, '@1', FAR);
    setTtl(store, '@2', T0 + 1_002);
    store.delete('@1');
    expect(whole(store)).toEqual({ keys: 1, expires: 1, ttlSumMs: 1_002 });
  });

  it('matches a key-by-key count over random TTL changes, in whole buckets and partial ones', () => {
    const { store, clock } = makeStore();
    const random = new SeededRandom(11);
    const model = new Map<string, number>(); // key -> expireAtMs (0 = none), as the store should hold
    // Positions in 8 buckets, several keys each, so ranges cut through buckets.
    const keys = Array.from({ length: 64 }, (_, i) => `@${(i % 8) * BUCKET_SPAN + random.int(BUCKET_SPAN)}:${i}`);
    // Some deadlines centuries away (the split sums' high parts); not near 2^53, where the
    // key-by-key float sum below would round differently (the test above covers that).
    const deadline = () => clock.now() + 1 + (random.int(10) === 0 ? 2 ** 45 - random.int(1000) : random.int(1_000_000));
    for (let step = 0; step < 3_000; step++) {
      const key = keys[random.int(keys.length)]!;
      const op = random.int(6);
      const was = model.get(key);
      if (was !== undefined && was > 0 && was <= clock.now()) {
        expect(store.get(key)).toBeUndefined(); // lazy expiry, before the key is used
        model.delete(key);
      }
      if (!model.has(key)) {
        putHash(store, key, { f: 'v' });
        model.set(key, 0);
      } else if (op <= 2) {
        const at = op === 0 ? 0 : deadline();
        setTtl(store, key, at);
        model.set(key, at);
      } else if (op === 3) {
        store.delete(key);
        model.delete(key);
      } else if (op === 4) {
        const at = deadline();
        store.mergeKey(key, { type: 'string', value: ['s'], expireAtMs: at, version: store.versionOf(key) + 1 });
        model.set(key, at);
      } else {
        clock.advance(random.int(50_000));
        for (const [k, at] of model) {
          if (at > 0 && at <= clock.now() && random.int(2) === 0) {
            expect(store.get(k)).toBeUndefined();
            model.delete(k);
          }
        }
      }
      if (step % 10 !== 0) continue;
      const from = random.int(9 * BUCKET_SPAN);
      const to = from + random.int(9 * BUCKET_SPAN);
      for (const [a, b] of [[0, RING_END], [from, to]] as const) {
        let keysIn = 0;
        let expires = 0;
        let ttlSumMs = 0;
        for (const [k, at] of model) {
          const pos = Number(/^@(\d+)/.exec(k)![1]);
          if (pos < a || pos >= b) continue;
          keysIn++;
          if (at > 0) {
            expires++;
            ttlSumMs += at - clock.now();
          }
        }
        expect(store.countKeysIn(a, b)).toEqual({ keys: keysIn, expires, ttlSumMs });
      }
    }
  });
});
