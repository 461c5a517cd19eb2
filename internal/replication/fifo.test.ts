import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back oldest first, across pushes between takes', () => {
    const q = new Fifo<number>();
    q.push(1);
    q.push(2);
    expect(q.shift()).toBe(1);
    q.push(3);
    expect(q.peek()).toBe(2);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, undefined]);
    expect(q.size).toBe(0);
  });

  it('keeps order and size through the compaction of a long consumed prefix', () => {
    const q = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    // Pushes outpace takes for a while, then takes catch up: the head passes 1024 many times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) {
        q.push(next);
        model.push(next++);
      }
      for (let i = 0; i < (round < 40 ? 200 : 600); i++) expect(q.shift()).toBe(model.shift());
      expect(q.size).toBe(model.length);
      expect(q.peek()).toBe(model[0]);
    }
  });

  it('takes everything out at once, oldest first', () => {
    const q = new Fifo<string>();
    for (const s of ['a', 'b', 'c']) q.push(s);
    q.shift();
    expect(q.takeAll()).toEqual(['b', 'c']);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
  });
});
