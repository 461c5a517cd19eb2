import type { FaultChannel, GokvNode, LinkFaults, MessageFate } from '../../internal/node/index.js';

// The test side of node/fault-injection.ts: one controller for a cluster of in-process nodes.
// Partitions are between member ids; loss, delay and duplication apply to every link, drawn
// from a seeded generator so a failing run can be replayed with its seed.

export interface LinkNoise {
  /** Probability that a message is lost (its call fails; a replication stream resets). */
  drop?: number;
  /** Each message is held a uniform time in [0, delayMs]. */
  delayMs?: number;
  /** Probability that a message is delivered twice (where the protocol must tolerate it). */
  duplicate?: number;
  /** Channels the noise applies to (default: all). */
  channels?: readonly FaultChannel[];
}

export class FaultLinks {
  private readonly idByAddr = new Map<string, string>();
  private readonly cut = new Set<string>();
  private noise: LinkNoise = {};
  /** Links whose forwarded commands fail at once and are delivered on release (see holdForwards). */
  private readonly held = new Map<string, { gate: Promise<void>; outcomes: Array<Promise<unknown>> }>();
  private state: number;
  readonly stats = { messages: 0, dropped: 0, delayed: 0, duplicated: 0, blocked: 0 };

  constructor(readonly seed = 42) {
    this.state = seed >>> 0 || 1;
  }

  /** The LinkFaults for node `id` (pass as NodeDeps.faults). */
  forNode(id: string): LinkFaults {
    return { fate: (to, channel) => this.fate(id, to, channel) };
  }

  /** Learns the nodes' internal addresses (call after starting or adding nodes). */
  learn(nodes: readonly GokvNode[]): void {
    for (const n of nodes) if (n.addresses.internal) this.idByAddr.set(n.addresses.internal, n.id);
  }

  /** Messages between the two groups are lost, both ways, until heal(). */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) this.cut.add(`${x}>${y}`).add(`${y}>${x}`);
  }

  /** Messages from `from` to `to` only are lost (an asymmetric partition). */
  cutOneWay(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Messages of one kind only (say, heartbeats) from `from` to `to` are lost until heal(). */
  cutChannel(from: string, to: string, channel: FaultChannel): void {
    this.cut.add(`${from}>${to}:${channel}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /**
   * From now on, commands `from` forwards to `to` fail at once (UNCERTAIN for a write) but are
   * delivered when the returned release() is called: bytes stuck in TCP across a partition.
   */
  holdForwards(from: string, to: string): { held(): number; release(): Promise<unknown[]> } {
    let open!: () => void;
    const entry = { gate: new Promise<void>((r) => (open = r)), outcomes: [] as Array<Promise<unknown>> };
    this.held.set(`${from}>${to}`, entry);
    return {
      held: () => entry.outcomes.length,
      /** Delivers what was held; resolves with each delivery's outcome (undefined: it ran; else its error). */
      release: () => {
        this.held.delete(`${from}>${to}`);
        open();
        return Promise.all(entry.outcomes);
      },
    };
  }

  setNoise(noise: LinkNoise): void {
    this.noise = noise;
  }

  private fate(from: string, toAddr: string, channel: FaultChannel): MessageFate {
    this.stats.messages++;
    const to = this.idByAddr.get(toAddr) ?? toAddr;
    const held = channel === 'forward' ? this.held.get(`${from}>${to}`) : undefined;
    if (held !== undefined) {
      let delivered!: (err: unknown) => void;
      held.outcomes.push(new Promise((r) => (delivered = r)));
      return { deliverLater: held.gate, delivered };
    }
    if (this.cut.has(`${from}>${to}`) || this.cut.has(`${from}>${to}:${channel}`)) {
      this.stats.blocked++;
      return { drop: 'request' };
    }
    const { drop = 0, delayMs = 0, duplicate = 0, channels } = this.noise;
    if (channels !== undefined && !channels.includes(channel)) return {};
    const fate: { -readonly [K in keyof MessageFate]: MessageFate[K] } = {};
    if (drop > 0 && this.next() < drop) {
      fate.drop = this.next() < 0.5 ? 'request' : 'reply';
      this.stats.dropped++;
    }
    if (delayMs > 0) {
      fate.delayMs = Math.floor(this.next() * delayMs);
      this.stats.delayed++;
    }
    if (duplicate > 0 && this.next() < duplicate) {
      fate.duplicate = true;
      this.stats.duplicated++;
    }
    return fate;
  }

  /** xorshift32: small, seeded, good enough for fault draws. */
  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
}
