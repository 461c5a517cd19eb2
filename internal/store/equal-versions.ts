import type { BinStr } from './bytes.js';
import type { KeyState, LiveKeyState } from './entry.js';

/**
 * Orders two states of one key stamped with the same version: > 0 when `incoming` wins. Two
 * nodes stamp one version on different values only when both wrote the key on the two sides
 * of a partition (minority_writes: accept) in the same millisecond. Both sides then merge the
 * other's copy; refusing it as "not newer" left them different for good. This order is the same
 * on every node, so both keep the same copy. Equal values (a hash's fields in any order) give 0.
 */
export function compareAtEqualVersion(incoming: KeyState, local: KeyState): number {
  // A deletion wins: never undone by a copy of the same version.
  if (incoming.deleted === true || local.deleted === true) {
    return (incoming.deleted === true ? 1 : 0) - (local.deleted === true ? 1 : 0);
  }
  if (incoming.type !== local.type) return incoming.type > local.type ? 1 : -1;
  if (incoming.expireAtMs !== local.expireAtMs) return incoming.expireAtMs > local.expireAtMs ? 1 : -1;
  // Copies of one key usually list a hash's fields in the same order: equal without sorting.
  if (sameItems(incoming.value, local.value)) return 0;
  const a = canonical(incoming);
  const b = canonical(local);
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? 1 : -1;
  return 0;
}

/** The value with a hash's field/value pairs sorted by field (a list keeps its order). */
function canonical(s: LiveKeyState): readonly BinStr[] {
  if (s.type !== 'hash') return s.value;
  const pairs: Array<[BinStr, BinStr]> = [];
  for (let i = 0; i + 1 < s.value.length; i += 2) pairs.push([s.value[i]!, s.value[i + 1]!]);
  pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return pairs.flat();
}

function sameItems(a: readonly BinStr[], b: readonly BinStr[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
