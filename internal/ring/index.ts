// ring/ owns placement: the immutable, versioned vnode ring (who leads and replicates a hash
// position), the key hash (xxHash32 of a key's bytes), ring diffs for the rebalance planner and
// balance measurement. Pure (L0): imports nothing from gokv and no sockets, files or timers;
// membership/ does not import it, node/ rebuilds the ring on member changes.
export { createHasher } from './hash.js';
export type { BinStr, Hasher } from './hash.js';
export { HASH_SPACE, Ring } from './ring.js';
export type { Arc, PositionFn, Vnode } from './ring.js';
export { diffRanges } from './ring-diff.js';
export type { ChangedArc } from './ring-diff.js';
export { measureBalance } from './balance.js';
export type { Balance } from './balance.js';
