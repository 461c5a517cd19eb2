import { describe, expect, it } from 'vitest';
import { MovedKeys } from './moved-keys.js';

const always = (): boolean => true;

describe('MovedKeys', () => {
  it('answers the newest member that pulled a key, while its marker is fresh', () => {
    const moved = new MovedKeys(1_000);
    moved.mark('k', 'e', 0);
    moved.mark('k', 'f', 10);
    expect(moved.movedTo('k', () => 500, always)).toBe('f');
    expect(moved.movedTo('other', () => 500, always)).toBeUndefined();
  });

  it('a later fetch by a member that is not usable does not hide an earlier one (a chained pull)', () => {
    // e (a joiner this node has not heard of) pulled k; then c, a member this node knows,
    // fetched k on e's behalf. Commands for k still go to e.
    const moved = new MovedKeys(1_000);
    moved.mark('k', 'e', 0);
    moved.mark('k', 'c', 5);
    const known = new Set(['a', 'c']);
    expect(moved.movedTo('k', () => 10, (m) => !known.has(m))).toBe('e');
    expect(moved.size).toBe(1);
    // Once e is known too, nothing is usable and the key's markers go.
    known.add('e');
    expect(moved.movedTo('k', () => 10, (m) => !known.has(m))).toBeUndefined();
    expect(moved.size).toBe(0);
  });

  it('drops a stale marker but keeps a fresh one of the same key', () => {
    const moved = new MovedKeys(100);
    moved.mark('k', 'e', 0);
    moved.mark('k', 'f', 90);
    expect(moved.movedTo('k', () => 150, always)).toBe('f'); // e's is stale
    expect(moved.movedTo('k', () => 150, (m) => m === 'e')).toBeUndefined(); // and was dropped
  });

  it('prunes keys by their newest marker, oldest first, and bounds the keys kept', () => {
    const moved = new MovedKeys(100, 2);
    moved.mark('a', 'e', 0);
    moved.mark('b', 'e', 10);
    moved.mark('a', 'f', 50); // a is now the younger key
    expect(moved.prune(120)).toBe(1); // b (10) is stale; a's newest (50) is not
    expect(moved.movedTo('a', () => 120, always)).toBe('f');
    moved.mark('c', 'e', 130);
    moved.mark('d', 'e', 140); // a third key: the oldest (a) goes
    expect(moved.size).toBe(2);
    expect(moved.movedTo('a', () => 140, always)).toBeUndefined();
  });
});
