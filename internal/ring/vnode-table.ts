/** The size of hash space: positions are integers in [0, 2^32). */
export const HASH_SPACE = 0x1_0000_0000;

/** Maps a vnode's name (`memberId + "#" + i`) to its position, a uint32. */
export type PositionFn = (text: string) => number;

/** A ring's vnodes in ring order, as two parallel typed arrays. */
export interface VnodeTable {
  /** Vnode positions, ascending. */
  readonly positions: Uint32Array;
  /** For each vnode, its member's index in the sorted member list. */
  readonly owner: Uint16Array | Uint32Array;
}

/**
 * Places `vnodeCount` vnodes per member at `position(id + "#" + i)` and sorts them by position,
 * then member id, then vnode index. `sortedMembers` must be sorted and distinct.
 */
export function buildVnodes(
  sortedMembers: readonly string[],
  vnodeCount: number,
  position: PositionFn,
): VnodeTable {
  const total = sortedMembers.length * vnodeCount;
  // Vnode k belongs to member floor(k / vnodeCount) with index k % vnodeCount, so comparing
  // k compares (member id, vnode index): the tie-break order.
  const raw = new Uint32Array(total);
  for (let m = 0; m < sortedMembers.length; m++) {
    const id = sortedMembers[m]!;
    for (let i = 0; i < vnodeCount; i++) raw[m * vnodeCount + i] = checked(position(`${id}#${i}`));
  }
  const order = new Uint32Array(total);
  for (let k = 0; k < total; k++) order[k] = k;
  order.sort((a, b) => raw[a]! - raw[b]! || a - b);
  const positions = new Uint32Array(total);
  const owner = sortedMembers.length <= 0x10000 ? new Uint16Array(total) : new Uint32Array(total);
  for (let j = 0; j < total; j++) {
    const k = order[j]!;
    positions[j] = raw[k]!;
    owner[j] = Math.floor(k / vnodeCount);
  }
  return { positions, owner };
}

function checked(position: number): number {
  if (!Number.isInteger(position) || position < 0 || position >= HASH_SPACE) {
    throw new RangeError(`a vnode position must be a uint32, got ${position}`);
  }
  return position;
}
