import { describe, expect, it } from 'vitest';
import { KEY_COUNT, requestSource, runSeed, VALUE_VARIANTS } from './load-plan.js';

describe('bench request source', () => {
  it('HSETs write 32 B values that change from one write of a key to the next', () => {
    const next = requestSource('hset', 42);
    const lastValue = new Map<string, string>();
    const values = new Set<string>();
    let rewrites = 0;
    let unchanged = 0;
    let wrongSize = 0;
    for (let i = 0; i < 300_000; i++) {
      const req = next();
      const value = Buffer.from(req.args![1] as Uint8Array).toString();
      if (value.length !== 32) wrongSize++;
      values.add(value);
      const before = lastValue.get(req.key!);
      if (before !== undefined) {
        rewrites++;
        if (before === value) unchanged++;
      }
      lastValue.set(req.key!, value);
    }
    expect(wrongSize).toBe(0);
    expect(values.size).toBe(VALUE_VARIANTS);
    expect(lastValue.size).toBeGreaterThan(KEY_COUNT * 0.9);
    // A rewrite that leaves the value as it was would be a no-op write in gokv.
    expect(rewrites).toBeGreaterThan(100_000);
    expect(unchanged / rewrites).toBeLessThan(0.01);
  });

  it('draws from the first `keyCount` keys when given one (--keys)', () => {
    for (const scenario of ['hset', 'hget', 'lpush-lpop'] as const) {
      const next = requestSource(scenario, 3, 1000);
      const keys = new Set(Array.from({ length: 20_000 }, () => next().key!));
      expect(keys.size).toBe(1000);
      const indexes = [...keys].map((k) => Number(k.slice(4)));
      expect(Math.max(...indexes)).toBe(999);
    }
  });

  it('mixed sends about 20 % HSETs, each with a varying value', () => {
    const next = requestSource('mixed', 7);
    const sets = Array.from({ length: 10_000 }, next).filter((r) => r.command === 'HSET');
    expect(sets.length).toBeGreaterThan(1_500);
    expect(sets.length).toBeLessThan(2_500);
    expect(new Set(sets.map((r) => Buffer.from(r.args![1] as Uint8Array).toString())).size).toBeGreaterThan(800);
  });

  it('gives every run its own requests: a later run does not replay an earlier one\'s writes', () => {
    const writes = (run: number) => {
      const next = requestSource('hset', runSeed(run, 0));
      return Array.from({ length: 20_000 }, () => {
        const r = next();
        return `${r.key} ${Buffer.from(r.args![1] as Uint8Array).toString()}`;
      });
    };
    const first = new Set(writes(0));
    const replayed = writes(1).filter((w) => first.has(w)).length;
    // By chance a write repeats one of the 20k earlier ones about 20k / (100k keys x 1024 values) of the time.
    expect(replayed).toBeLessThan(20);
    expect(runSeed(0, 1)).not.toBe(runSeed(1, 0));
  });
});
