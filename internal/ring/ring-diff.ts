import { HASH_SPACE } from './ring.js';
import type { Ring } from './ring.js';

/** An arc whose preference list differs between two rings, with both lists. */
export interface ChangedArc {
  readonly from: number;
  /** Exclusive; at most 2^32. */
  readonly to: number;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/**
 * The arcs of hash space whose preference list of length n differs from `before` to `after`,
 * ascending, adjacent arcs with the same pair of lists merged. A key's placement changed iff its
 * position lies in one of them: the rebalance planner's input.
 *
 * Placement is constant between consecutive vnode positions of a ring (on `(p[j-1], p[j]]`), so
 * comparing once per segment of the union of both rings' boundaries is exact.
 * O((vnodes of both) x (log vnodes + n)).
 */
export function diffRanges(before: Ring, after: Ring, n: number): ChangedArc[] {
  const cuts = mergeCuts(before.boundaries(), after.boundaries());
  const out: ChangedArc[] = [];
  for (let k = 0; k < cuts.length; k++) {
    const from = cuts[k]!;
    const to = cuts[k + 1] ?? HASH_SPACE;
    const was = before.owners(from, n);
    const now = after.owners(from, n);
    if (sameList(was, now)) continue;
    const last = out[out.length - 1];
    const extends_ = last !== undefined && last.to === from;
    if (extends_ && sameList(last.before, was) && sameList(last.after, now)) {
      out[out.length - 1] = { ...last, to };
    } else {
      out.push({ from, to, before: was, after: now });
    }
  }
  return out;
}

/** Segment starts: 0 and every boundary + 1 below 2^32, ascending, distinct. */
function mergeCuts(a: readonly number[], b: readonly number[]): number[] {
  const cuts = [0];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    let p: number;
    if (y === undefined || (x !== undefined && x <= y)) {
      p = x!;
      i++;
      if (p === y) j++;
    } else {
      p = y;
      j++;
    }
    const cut = p + 1;
    if (cut < HASH_SPACE && cut !== cuts[cuts.length - 1]) cuts.push(cut);
  }
  return cuts;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
