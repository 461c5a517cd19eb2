import { HASH_SPACE, type Ring } from '../ring/index.js';

/** The hash position a SCAN cursor stands for ("0" and "0.0" start at 0), or undefined if invalid. */
export function scanPosition(cursor: string): number | undefined {
  if (cursor === '0' || cursor === '0.0' || cursor === '') return 0;
  if (!/^[0-9]{1,10}$/.test(cursor)) return undefined;
  const n = Number(cursor);
  return n < HASH_SPACE ? n : undefined;
}

/** The part of the ring a SCAN page may cover here: from the cursor to the end of its leader's arc. */
export function scanRange(ring: Ring, position: number): { from: number; to: number } {
  return { from: position, to: ring.size === 0 ? HASH_SPACE : ring.arcEnd(position) };
}
