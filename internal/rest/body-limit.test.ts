import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './body-limit.js';

const deeper = (text: string, max: number) => nestedDeeperThan(Buffer.from(text), max);

describe('nestedDeeperThan', () => {
  it('counts arrays and objects alike', () => {
    expect(deeper('[{"a":[1]}]', 3)).toBe(false);
    expect(deeper('[{"a":[1]}]', 2)).toBe(true);
    expect(deeper('[[],[],[]]', 2)).toBe(false); // siblings do not add up
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(deeper('["[[[[", "{{{{"]', 1)).toBe(false);
    expect(deeper('["\\"[[[[", "x\\\\"]', 1)).toBe(false); // \" stays in the string; \\ ends before the quote
    expect(deeper('["x\\\\", [[1]]]', 2)).toBe(true);
  });

  it('agrees with JSON.parse on the depth of random valid documents', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const build = (depth: number): unknown => {
      if (depth === 0 || next() < 0.2) return next() < 0.5 ? '"]}[{\\' : 1;
      return next() < 0.5 ? [build(depth - 1), build(depth - 1)] : { k: build(depth - 1), '[': 'x' };
    };
    const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    for (let i = 0; i < 300; i++) {
      const doc = build(8);
      const d = depthOf(doc);
      const text = JSON.stringify(doc);
      expect(deeper(text, d)).toBe(false);
      if (d > 0) expect(deeper(text, d - 1)).toBe(true);
    }
  });
});
