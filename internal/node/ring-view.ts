import { measureBalance, type Ring } from '../ring/index.js';
import type { RingView } from '../rest/index.js';

/**
 * The ring for `GET /v1/ring`: members, their exact shares of hash space and vnode positions.
 * Rings are immutable values, so the last one's view is kept and rebuilt only when the ring
 * changes (measuring shares walks every vnode once per member).
 */
export class RingViews {
  private last: { ring: Ring; view: RingView } | undefined;

  constructor(private readonly replicas: number) {}

  of(ring: Ring): RingView {
    if (this.last?.ring === ring) return this.last.view;
    const { shares } = measureBalance(ring);
    const vnodes = new Map<string, number[]>(ring.members.map((id) => [id, []]));
    for (const v of ring.vnodes()) vnodes.get(v.memberId)!.push(v.position);
    const view: RingView = {
      version: ring.version,
      vnodeCount: ring.vnodeCount,
      replicas: this.replicas,
      members: ring.members.map((id) => ({ id, share: shares.get(id) ?? 0, vnodes: vnodes.get(id)! })),
    };
    this.last = { ring, view };
    return view;
  }
}
