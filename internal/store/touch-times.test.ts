import { describe, expect, it } from 'vitest';
import { makeStore, putHash } from './testing/fixtures.js';
import { startTimeMarks, TouchTimes } from './touch-times.js';

describe('a key\'s idle time (OBJECT IDLETIME)', () => {
  it('counts from the key\'s last use, never less, more by under the marking period; reading it is no use', () => {
    const { store, clock } = makeStore();
    const stop = startTimeMarks(store, clock); // marks every second, as a node does
    putHash(store, 'a', { f: 'v' });
    clock.advance(5_000);
    putHash(store, 'b', { f: 'v' });
    clock.advance(2_500);
    expect(store.idleMs('a')).toBe(7_500);
    expect(store.idleMs('b')).toBe(2_500);
    store.peek('a'); // TYPE, TTL and the like do not count as a use, as in Redis
    expect(store.idleMs('a')).toBe(7_500);
    store.get('a'); // at 7.5 s: known to come after the mark of 7 s
    expect(store.idleMs('a')).toBe(500);
    clock.advance(1_000);
    expect(store.idleMs('a')).toBe(1_500);
    expect(store.idleMs('missing')).toBeUndefined();
    stop();
  });

  it('knows a use to within the period: uses between two marks count from the first', () => {
    const { store, clock } = makeStore();
    startTimeMarks(store, clock);
    putHash(store, 'a', { f: 'v' });
    clock.advance(300);
    putHash(store, 'b', { f: 'v' });
    clock.advance(700); // the mark of 1 s
    putHash(store, 'c', { f: 'v' });
    clock.advance(4_000);
    // Truly idle 5 s, 4.7 s and 4 s.
    expect(['a', 'b', 'c'].map((k) => store.idleMs(k))).toEqual([5_000, 5_000, 4_000]);
  });

  it('without marks after the first, over-reports rather than under-reports', () => {
    const { store, clock } = makeStore();
    clock.advance(10_000);
    putHash(store, 'a', { f: 'v' });
    clock.advance(1_000);
    expect(store.idleMs('a')).toBe(11_000); // from the store's first mark
  });
});

describe('TouchTimes', () => {
  it('keeps at most 4096 marks, recent ones to the second, older ones to a fraction of a percent, never under', () => {
    const times = new TouchTimes();
    const n = 20_000; // over five hours of one mark a second
    for (let i = 1; i <= n; i++) times.note(i, i * 1000); // stamp i handed out at i seconds
    const now = (n + 1) * 1000;
    for (let i = n; i > n - 60; i--) expect(times.idleMs(i, n, now)).toBe(now - i * 1000);
    let under = 0;
    let worst = 0;
    for (let i = 1; i <= n; i++) {
      const actual = now - i * 1000;
      const over = times.idleMs(i, n, now) - actual;
      if (over < 0) under++;
      worst = Math.max(worst, over / actual);
    }
    expect(under).toBe(0);
    expect(worst).toBeLessThan(0.005);
    expect((times as unknown as { stamps: number[] }).stamps.length).toBe(4096);
  });

  it('reads stamps across the LRU clock\'s wrap at 2^30', () => {
    const times = new TouchTimes();
    const top = 2 ** 30 - 2;
    times.note(top, 0);
    times.note(top + 1, 1_000);
    times.note(3, 5_000); // wrapped: 5 touches after `top`
    expect(times.idleMs(top + 1, 4, 6_000)).toBe(5_000);
    expect(times.idleMs(3, 4, 6_000)).toBe(1_000);
  });

  it('drops marks 2^29 touches old and reports older stamps as old as the oldest mark kept', () => {
    const times = new TouchTimes();
    times.note(1, 0);
    times.note(2 ** 29 + 10, 60_000);
    times.note(2 ** 29 + 20, 70_000);
    expect((times as unknown as { stamps: number[] }).stamps).toEqual([2 ** 29 + 10, 2 ** 29 + 20]);
    expect(times.idleMs(1, 2 ** 29 + 20, 80_000)).toBe(20_000);
  });

  it('moves a mark later when no stamp was handed out since (an idle store keeps one mark)', () => {
    const times = new TouchTimes();
    times.note(5, 1_000);
    times.note(5, 3_000);
    expect((times as unknown as { stamps: number[] }).stamps).toEqual([5]);
    expect(times.idleMs(5, 5, 4_000)).toBe(1_000);
  });

  it('is never negative when the wall clock steps back', () => {
    const times = new TouchTimes();
    times.note(1, 10_000);
    times.note(2, 2_000); // stepped back: marked at once
    expect(times.idleMs(1, 2, 1_000)).toBe(0);
    expect(times.idleMs(2, 2, 2_500)).toBe(500);
  });
});
