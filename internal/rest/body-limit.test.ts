import { describe, expect, it } from 'vitest';
import { shapeProblem, type JsonBounds } from './body-limit.js';

const LOOSE: JsonBounds = { maxDepth: 1e9, maxContainers: 1e9, maxValues: 1e9 };
const problem = (text: string | Buffer, bounds: Partial<JsonBounds> = {}) =>
  shapeProblem(typeof text === 'string' ? Buffer.from(text) : text, { ...LOOSE, ...bounds });
const deeper = (text: string, max: number) => problem(text, { maxDepth: max }) === 'entity.verify.depth';

describe('the shape check of a REST body before JSON.parse', () => {
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

  it('bounds containers and values, however shallow (64 MB of [],[],... held the loop 17 s)', () => {
    expect(problem('{"args":[[],[],[]]}', { maxContainers: 5 })).toBeUndefined(); // the object, args and three
    expect(problem('{"args":[[],[],[],[]]}', { maxContainers: 5 })).toBe('entity.verify.size');
    expect(problem('{"args":[1,2,3]}', { maxValues: 4 })).toBeUndefined(); // 2 commas + 2 containers
    expect(problem('{"args":[1,2,3,4]}', { maxValues: 4 })).toBe('entity.verify.size');
    expect(problem('{"args":["a,b,c,d,e"]}', { maxValues: 3 })).toBeUndefined(); // commas in strings do not count
  });

  it('names a body that is no object or array, after any BOM and whitespace', () => {
    for (const bare of ['"PING"', ' null', '42', 'PING']) expect(problem(bare)).toBe('entity.verify.object');
    expect(problem(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' {"command":"PING"}')]))).toBeUndefined();
    expect(problem('')).toBeUndefined(); // an empty body is the parser's (an empty object)
  });
});
