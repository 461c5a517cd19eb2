import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { Deque } from './deque.js';

describe('Deque', () => {
  it('pushes and pops at both ends in order', () => {
    const d = new Deque<number>();
    d.pushBack(2);
    d.pushBack(3);
    d.pushFront(1);
    d.pushFront(0);
    expect(d.toArray()).toEqual([0, 1, 2, 3]);
    expect(d.popFront()).toBe(0);
    expect(d.popBack()).toBe(3);
    expect(d.toArray()).toEqual([1, 2]);
    expect(d.popBack()).toBe(2);
    expect(d.popBack()).toBe(1);
    expect(d.popBack()).toBeUndefined();
    expect(d.popFront()).toBeUndefined();
  });

  it.each([
    ['first', 0, 'a'],
    ['last', 2, 'c'],
    ['negative is out of range', -1, undefined],
    ['past the end is out of range', 3, undefined],
  ])('at(): %s', (_name, index, expected) => {
    const d = new Deque(['a', 'b', 'c']);
    expect(d.at(index)).toBe(expected);
  });

  it('set() replaces in place across the wrap point and refuses out-of-range indices', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 3; i++) d.pushFront(i); // head wraps around the buffer end
    expect(d.set(0, 9)).toBe(2);
    expect(d.toArray()).toEqual([9, 1, 0]);
    expect(() => d.set(3, 1)).toThrow(RangeError);
  });

  it('grows when full and shrinks when mostly empty', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.pushBack(i);
    expect(d.capacity).toBe(128);
    for (let i = 0; i < 98; i++) d.popFront();
    expect(d.capacity).toBeLessThanOrEqual(8);
    expect(d.toArray()).toEqual([98, 99]);
  });

  it('matches an array model under a seeded random mix of operations', () => {
    const random = new SeededRandom(42);
    const d = new Deque<number>();
    const model: number[] = [];
    for (let step = 0; step < 5000; step++) {
      const op = random.int(6);
      if (op === 0) {
        d.pushFront(step);
        model.unshift(step);
      } else if (op === 1 || op === 2) {
        d.pushBack(step);
        model.push(step);
      } else if (op === 3) {
        expect(d.popFront()).toBe(model.shift());
      } else if (op === 4) {
        expect(d.popBack()).toBe(model.pop());
      } else if (model.length > 0) {
        const i = random.int(model.length);
        expect(d.at(i)).toBe(model[i]);
      }
      expect(d.length).toBe(model.length);
    }
    expect([...d]).toEqual(model);
    expect(d.slice(1, 4)).toEqual(model.slice(1, 4));
  });

  it('replaceAll() resets contents', () => {
    const d = new Deque([1, 2, 3]);
    d.replaceAll([7, 8]);
    expect(d.toArray()).toEqual([7, 8]);
    d.pushFront(6);
    expect(d.toArray()).toEqual([6, 7, 8]);
  });
});
