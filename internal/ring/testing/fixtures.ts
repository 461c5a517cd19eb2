// Test helpers for ring/: readable injected positions and seeded random keys. Not built.
import type { BinStr } from '../hash.js';
import type { PositionFn } from '../ring.js';

/** A position function from a table of vnode names (`"a#0": 100`); unknown names throw. */
export function tablePosition(table: Readonly<Record<string, number>>): PositionFn {
  return (text) => {
    const position = table[text];
    if (position === undefined) throw new Error(`no position in the table for ${text}`);
    return position;
  };
}

/** A seeded xorshift32 generator of uint32s, so random tests repeat exactly. */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * `count` distinct random keys as BinStr, 4-24 bytes; about one in four holds bytes >= 0x80,
 * so both hashing paths are used.
 */
export function randomKeys(count: number, seed: number): BinStr[] {
  const next = seededUint32(seed);
  const keys = new Set<BinStr>();
  while (keys.size < count) {
    const length = 4 + (next() % 21);
    const binary = next() % 4 === 0;
    let key = '';
    for (let i = 0; i < length; i++) {
      key += String.fromCharCode(binary ? next() & 0xff : 0x21 + (next() % 94));
    }
    keys.add(key);
  }
  return [...keys];
}

/** Member ids in the two families the balance figures are quoted for. */
export function memberIds(family: 'name' | 'address', count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    family === 'name' ? `gokv${i + 1}` : `127.0.0.1:${7901 + i}`,
  );
}
