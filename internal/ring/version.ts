/**
 * A ring's version: a deterministic 53-bit hash of its sorted member ids and vnode count, so two
 * nodes that see the same members agree on it without talking. Two 32-bit multiplicative lanes
 * over the UTF-16 code units of a length-prefixed encoding (no two member lists encode the
 * same), each finished with the murmur3 avalanche; 21 bits of one and 32 of the other are kept.
 */
export function versionOf(sortedMembers: readonly string[], vnodeCount: number): number {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  const feed = (code: number): void => {
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  };
  const feedText = (text: string): void => {
    for (let i = 0; i < text.length; i++) feed(text.charCodeAt(i));
  };
  feedText(`${vnodeCount}/${sortedMembers.length}`);
  for (const id of sortedMembers) {
    feedText(`/${id.length}:`);
    feedText(id);
  }
  const hi = avalanche(a ^ Math.imul(b, 0x9e3779b1)) & 0x1f_ffff;
  const lo = avalanche(b ^ Math.imul(a, 0x85ebca6b)) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/** murmur3's fmix32. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
