import type { Clock } from '../clock/index.js';
import type { NodeFigures } from '../server/index.js';

/** A member to ask for its figures: another alive or suspect member. */
export interface FiguresPeer {
  readonly id: string;
  readonly internalAddr: string;
}

export interface MemberFiguresDeps {
  readonly selfId: string;
  /** This node's own figures (no RPC). */
  readonly own: () => NodeFigures;
  readonly peers: () => readonly FiguresPeer[];
  /** Asks one member (NodeStats); rejects on any failure or after `timeoutMs`. */
  readonly fetch: (internalAddr: string, timeoutMs: number) => Promise<NodeFigures>;
  readonly clock: Clock;
}

export interface MemberFiguresOptions {
  /** How long an answer (or a failure) is reused: the page polls about once a second. */
  readonly ttlMs: number;
  /** Deadline of one NodeStats call; a slower member is shown without figures. */
  readonly timeoutMs: number;
}

interface Entry {
  readonly atMs: number;
  readonly figures: NodeFigures | undefined;
}

/**
 * Every member's figures for `GET /v1/cluster`: this node's own, plus each other live member's
 * NodeStats answer, asked with a short deadline and cached for `ttlMs`, so any number of open
 * pages costs each member about one call a second; an older answer is served while a newer one
 * is asked for (only a member never asked yet is waited for). Concurrent reads share one call per member.
 * A member that fails or times out is absent from the answer (cached too, so a dead-slow member
 * does not make every request wait); figures() itself never rejects.
 */
export class MemberFigures {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: MemberFiguresDeps,
    private readonly options: MemberFiguresOptions,
  ) {}

  async figures(): Promise<Map<string, NodeFigures>> {
    const peers = this.deps.peers().filter((p) => p.id !== this.deps.selfId);
    const asked = new Set(peers.map((p) => p.id));
    for (const id of this.entries.keys()) if (!asked.has(id)) this.entries.delete(id);
    // A member with an answer on hand (even one past ttlMs, or a failure) is not waited for: its
    // refresh runs in the background. Awaited, a hung member's cached failure expired every
    // ttlMs and the next request waited out the deadline again (about every other poll).
    await Promise.all(peers.map((p) => (this.entries.has(p.id) ? void this.refresh(p) : this.refresh(p))));
    const out = new Map<string, NodeFigures>([[this.deps.selfId, this.deps.own()]]);
    for (const p of peers) {
      const figures = this.entries.get(p.id)?.figures;
      // An address now used by another member's process answers for that one: not ours to show.
      if (figures !== undefined && figures.id === p.id) out.set(p.id, figures);
    }
    return out;
  }

  private refresh(peer: FiguresPeer): Promise<void> {
    const cached = this.entries.get(peer.id);
    if (cached !== undefined && this.deps.clock.monotonic() - cached.atMs < this.options.ttlMs) return Promise.resolve();
    const running = this.inFlight.get(peer.id);
    if (running !== undefined) return running;
    const keep = (figures: NodeFigures | undefined) => {
      this.entries.set(peer.id, { atMs: this.deps.clock.monotonic(), figures });
    };
    const call = this.deps
      .fetch(peer.internalAddr, this.options.timeoutMs)
      .then(keep, () => keep(undefined))
      .finally(() => this.inFlight.delete(peer.id));
    this.inFlight.set(peer.id, call);
    return call;
  }
}
