import { describe, expect, it } from 'vitest';
import { KeyOrder } from './key-order.js';

/** A promise settled by hand. */
function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('KeyOrder', () => {
  it('runs synchronous commands at once and stays idle', () => {
    const order = new KeyOrder();
    expect(order.run(['a'], false, () => 1)).toBe(1);
    expect(order.idle).toBe(true);
  });

  it('starts a command on another key while an earlier one is still running', async () => {
    const order = new KeyOrder();
    const slow = deferred();
    const started: string[] = [];
    void order.run(['a'], false, () => (started.push('a'), slow.promise));
    expect(order.run(['b'], false, () => (started.push('b'), 'b'))).toBe('b');
    expect(started).toEqual(['a', 'b']);
    slow.resolve('a');
    await flush();
    expect(order.idle).toBe(true);
  });

  it('holds a command on the same key until the earlier one finished, even if it failed', async () => {
    const order = new KeyOrder();
    const first = deferred();
    const started: string[] = [];
    const a1 = order.run(['k'], false, () => (started.push('1'), first.promise));
    const a2 = order.run(['x', 'k'], false, () => (started.push('2'), 'second'));
    await flush();
    expect(started).toEqual(['1']);
    first.reject(new Error('boom'));
    await expect(a1).rejects.toThrow('boom');
    await expect(a2).resolves.toBe('second');
    expect(started).toEqual(['1', '2']);
  });

  it('makes a barrier wait for everything before it, and everything after wait for it', async () => {
    const order = new KeyOrder();
    const a = deferred();
    const barrier = deferred();
    const started: string[] = [];
    void order.run(['a'], false, () => (started.push('a'), a.promise));
    void order.run([], true, () => (started.push('flush'), barrier.promise));
    void order.run(['z'], false, () => (started.push('z'), 'z'));
    await flush();
    expect(started).toEqual(['a']);
    a.resolve('a');
    await flush();
    expect(started).toEqual(['a', 'flush']);
    barrier.resolve('OK');
    await flush();
    expect(started).toEqual(['a', 'flush', 'z']);
    await flush();
    expect(order.idle).toBe(true);
  });
});
