import { diffRanges, HASH_SPACE } from '../ring/index.js';
import type { Ring } from '../ring/index.js';

const NONE: ReadonlySet<string> = new Set();

/**
 * What this node does with the keys of one changed arc:
 * - `send`: it is the arc's sender; it pushes every key's full state to each of `targets` and,
 *   when `keepAfter` is false, forgets a key once every target acknowledged it unchanged.
 * - `drop`: it held the arc (old list), is not its sender and is not in the new list; it asks
 *   every member of the new list (`targets`) which keys they lack at its version, pushes those,
 *   and forgets a key only once every member of the new list holds it at that version or newer.
 */
export type ArcRole = 'send' | 'drop';

/** One arc `[from, to)` whose preference list changed, with this node's part in it. */
export interface PlannedArc {
  readonly from: number;
  /** Exclusive; at most 2^32. */
  readonly to: number;
  /** The preference list (length replicas + 1) before and after. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** The first member of `before` still in the new ring and alive; undefined if none is. */
  readonly sender: string | undefined;
  readonly role: ArcRole;
  /** send: members of `after` not in `before`. drop: every member of `after`. Never empty. */
  readonly targets: readonly string[];
  /** Whether this node is still in the arc's preference list afterwards. */
  readonly keepAfter: boolean;
}

export interface HandOffPlan {
  readonly self: string;
  readonly replicas: number;
  /** Versions of the rings planned from and to; the executor stops when the ring leaves `version`. */
  readonly fromVersion: number;
  readonly version: number;
  /** The arcs where this node has work, ascending. */
  readonly arcs: readonly PlannedArc[];
  /** Changed arcs (for any node) with no surviving old member: nobody can send them. */
  readonly unsentArcs: number;
}

/**
 * Plans this node's part of a hand-off from ring `before` to ring `after` (DESIGN.md section 8).
 * For every arc whose preference list (n = replicas + 1) changed, the sender is the first member
 * of the old list that is in the new ring and alive (`self` counts as alive); it sends to the
 * members the new list gained. An old member that is neither the sender nor in the new list
 * drops its copies after confirming them with the new list. A pure function of its inputs.
 *
 * Edge rules: a sender with nothing to send that leaves the list confirms like a dropper; a
 * dropper whose new list is empty (no ring left) keeps its keys, so no arc plans a blind drop.
 *
 * A member in `restarted` came back empty: every old member that stays sends it the arc, not
 * the sender alone. The sender may itself restart before it is done (found by a review: two
 * members crash-restarted 2.5 s apart, and the first one never got the second one's share of
 * its keys, while a third member held them all). A copy sent twice merges once.
 */
export function planHandOff(
  before: Ring,
  after: Ring,
  self: string,
  replicas: number,
  alive: (id: string) => boolean,
  restarted: ReadonlySet<string> = NONE,
): HandOffPlan {
  const n = Math.max(0, Math.floor(replicas)) + 1;
  const arcs: PlannedArc[] = [];
  let unsentArcs = 0;
  for (const arc of diffRanges(before, after, n)) {
    const sender = arc.before.find((id) => after.has(id) && (id === self || alive(id)));
    if (sender === undefined) unsentArcs++;
    const keepAfter = arc.after.includes(self);
    const gained = arc.after.filter((id) => !arc.before.includes(id));
    const refill = restarted.size > 0 && keepAfter && arc.before.includes(self) ? gained.filter((id) => restarted.has(id)) : [];
    if (sender === self && gained.length > 0) {
      arcs.push({ ...arc, sender, role: 'send', targets: gained, keepAfter });
    } else if (refill.length > 0) {
      arcs.push({ ...arc, sender, role: 'send', targets: refill, keepAfter });
    } else if (arc.before.includes(self) && !keepAfter && arc.after.length > 0) {
      arcs.push({ ...arc, sender, role: 'drop', targets: arc.after.slice(), keepAfter });
    }
  }
  return {
    self,
    replicas: n - 1,
    fromVersion: before.version,
    version: after.version,
    arcs,
    unsentArcs,
  };
}

/**
 * Plans a graceful leave: every arc of `after` (a ring without this node) becomes a `drop` arc
 * whose targets are its whole preference list, so each key this node holds is confirmed with
 * (or sent to) all of its new owners before it is forgotten, whatever ring placed it here (an
 * unfinished earlier hand-off included). An empty `after` plans nothing: the keys stay.
 */
export function planLeave(after: Ring, self: string, replicas: number): HandOffPlan {
  const n = Math.max(0, Math.floor(replicas)) + 1;
  const arcs = dropArcs(after, n, self, (owners) => owners.filter((id) => id !== self));
  return { self, replicas: n - 1, fromVersion: after.version, version: after.version, arcs, unsentArcs: 0 };
}

/**
 * Plans the hand-off of stray keys: copies merged here in arcs this node does not own in
 * `after` (a hand-off or a replicated write from a member with another view of the ring), which
 * no plan from a ring this node held would move. Each arc of `after` that this node is not in
 * and that holds one of `positions` (every such arc when undefined) becomes a `drop` arc to its
 * owners: they confirm or receive each key before it is forgotten here.
 */
export function planStrays(after: Ring, self: string, replicas: number, positions: readonly number[] | undefined): PlannedArc[] {
  const n = Math.max(0, Math.floor(replicas)) + 1;
  const sorted = positions === undefined ? undefined : [...positions].sort((x, y) => x - y);
  let next = 0;
  const holdsOne = (from: number, to: number): boolean => {
    if (sorted === undefined) return true;
    while (next < sorted.length && sorted[next]! < from) next++;
    return next < sorted.length && sorted[next]! < to;
  };
  // Only lists without this node: an owned arc's keys are not strays.
  const arcs = dropArcs(after, n, self, (owners) => (owners.includes(self) ? [] : owners));
  return arcs.filter((arc) => holdsOne(arc.from, arc.to));
}

/**
 * The arcs of `ring`, ascending, as `drop` arcs from `self` to `targetsOf(owners)` (adjacent arcs
 * with the same targets merged); arcs whose targets are empty are left out.
 */
function dropArcs(ring: Ring, n: number, self: string, targetsOf: (owners: string[]) => string[]): PlannedArc[] {
  const arcs: PlannedArc[] = [];
  const cuts = [0, ...ring.boundaries().map((p) => p + 1).filter((p) => p < HASH_SPACE)];
  cuts.forEach((from, k) => {
    const to = cuts[k + 1] ?? HASH_SPACE;
    const targets = targetsOf(ring.owners(from, n));
    if (targets.length === 0) return;
    const last = arcs[arcs.length - 1];
    if (last !== undefined && last.to === from && sameList(last.targets, targets)) {
      arcs[arcs.length - 1] = { ...last, to };
    } else {
      const arc = { from, to, before: [self], after: targets, sender: undefined };
      arcs.push({ ...arc, role: 'drop', targets, keepAfter: false });
    }
  });
  return arcs;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * The union of planHandOff(p, after) over every ring `p` that may have placed this node's keys:
 * the ring of the last completed hand-off and each ring an abandoned hand-off was heading for
 * (which moved some keys already). Each part is safe alone (a send merges by version, a drop
 * confirms first), so the union only adds coverage: a key received under an abandoned ring still
 * reaches its newest owners. Undefined when every placement already is `after`.
 */
export function planFromPlacements(
  placements: readonly Ring[],
  after: Ring,
  self: string,
  replicas: number,
  alive: (id: string) => boolean,
  restarted?: ReadonlySet<string>,
): HandOffPlan | undefined {
  const plans = placements
    .filter((p) => p.version !== after.version)
    .map((p) => planHandOff(p, after, self, replicas, alive, restarted));
  const first = plans[0];
  if (first === undefined) return undefined;
  return {
    ...first,
    arcs: plans.flatMap((p) => p.arcs),
    unsentArcs: plans.reduce((n, p) => n + p.unsentArcs, 0),
  };
}
