import { SeededRandom, type ManualClock, type Random } from '../clock/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { Gossiper } from './gossiper.js';
import type { MemberChange, MemberEntry, MemberStatus } from './member.js';
import type { GossiperOptions } from './options.js';
import type { HeartbeatSender } from './transport.js';

/**
 * The slice of a network the simulation drives (peer/fake-network.ts satisfies it). It must
 * deliver without the clock moving (no delay), so a round settles once its promises do.
 */
export interface SimNetwork {
  register(addr: string, handlers: { heartbeat(entries: readonly MemberEntry[], from: string): MemberEntry[] }): void;
  unregister(addr: string): void;
  sender(fromAddr: string): HeartbeatSender;
}

export interface SimulationDeps {
  readonly network: SimNetwork;
  readonly clock: ManualClock;
  readonly random: Random;
  readonly log?: Logger;
  /** Sees every node's changes (for tests that check what a node reported). */
  readonly onChange?: (nodeId: string, changes: readonly MemberChange[]) => void;
}

export type SimulationOptions = Omit<GossiperOptions, 'seeds'>;

interface SimNode {
  gossiper: Gossiper;
  up: boolean;
}

/**
 * Many gossipers on one network and one ManualClock, run in synchronous rounds: `step()` moves
 * time by one heartbeat interval, then every running node starts its round at the same instant
 * and the step ends when every exchange settled. Requests of a round are delivered before the
 * replies, so news travels at most a push plus a pull per round. Deterministic for a given seed.
 */
export class Simulation {
  private readonly nodes = new Map<string, SimNode>();
  private readonly log: Logger;
  /** Every change any node reported, by subject id: suspicions and dead verdicts. */
  readonly suspicions = new Map<string, number>();
  readonly deadVerdicts = new Map<string, number>();
  rounds = 0;

  constructor(
    private readonly deps: SimulationDeps,
    private readonly options: SimulationOptions,
  ) {
    this.log = deps.log ?? silentLogger();
  }

  static addr(id: string): string {
    return `${id}:7946`;
  }

  /** Starts (or restarts, with empty state) node `id`; `seeds` are node ids. */
  addNode(id: string, opts: { seeds?: readonly string[]; incarnation?: number } = {}): Gossiper {
    const addr = Simulation.addr(id);
    const gossiper = new Gossiper(
      {
        self: { id, internalAddr: addr, grpcAddr: `${id}:50051`, restAddr: `${id}:8080`, incarnation: opts.incarnation },
        clock: this.deps.clock,
        random: new SeededRandom(this.deps.random.int(2 ** 31)),
        sender: this.deps.network.sender(addr),
        log: this.log,
        onChange: (changes) => {
          this.record(changes);
          this.deps.onChange?.(id, changes);
        },
      },
      { ...this.options, seeds: (opts.seeds ?? []).map((seed) => ({ id: seed, addr: Simulation.addr(seed) })) },
    );
    this.nodes.set(id, { gossiper, up: true });
    this.deps.network.register(addr, { heartbeat: (entries) => gossiper.handleHeartbeat(entries) });
    return gossiper;
  }

  /** Gives every running node everyone's entry at once (a converged cluster, without the rounds). */
  bootstrap(): void {
    const all = this.running().map((g) => g.selfEntry);
    for (const g of this.running()) g.handleHeartbeat(all);
  }

  node(id: string): Gossiper {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no simulated node ${id}`);
    return node.gossiper;
  }

  /** Stops the node's rounds and takes it off the network (a crash or a SIGSTOP). */
  crash(id: string): void {
    this.nodes.get(id)!.up = false;
    this.deps.network.unregister(Simulation.addr(id));
  }

  /** Brings a crashed or paused node back with the state it had. */
  resume(id: string): void {
    const node = this.nodes.get(id)!;
    node.up = true;
    this.deps.network.register(Simulation.addr(id), { heartbeat: (entries) => node.gossiper.handleHeartbeat(entries) });
  }

  running(): Gossiper[] {
    const list: Gossiper[] = [];
    for (const node of this.nodes.values()) if (node.up) list.push(node.gossiper);
    return list;
  }

  /** One synchronous round: time moves one interval, then every running node gossips. */
  async step(): Promise<void> {
    this.deps.clock.advance(this.options.heartbeatIntervalMs);
    this.rounds += 1;
    await Promise.all(this.running().map((g) => g.round()));
  }

  async run(rounds: number): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.step();
  }

  /** Steps until `done()` holds; returns the steps taken, or -1 after `maxRounds`. */
  async runUntil(done: () => boolean, maxRounds: number): Promise<number> {
    for (let i = 0; i <= maxRounds; i++) {
      if (done()) return i;
      if (i < maxRounds) await this.step();
    }
    return -1;
  }

  /** How many running nodes (other than `id` itself) see member `id` with one of `statuses`. */
  countSeeing(id: string, statuses: readonly (MemberStatus | 'unknown')[]): number {
    let count = 0;
    for (const g of this.running()) {
      if (g.self.id === id) continue;
      if (statuses.includes(g.member(id)?.status ?? 'unknown')) count += 1;
    }
    return count;
  }

  /** True when every running node holds the same set of (id, status) pairs. */
  converged(): boolean {
    const views = this.running().map((g) =>
      g
        .members()
        .map((m) => `${m.id}:${m.status}`)
        .sort()
        .join(','),
    );
    return views.every((v) => v === views[0]);
  }

  private record(changes: readonly MemberChange[]): void {
    for (const change of changes) {
      if (change.kind !== 'statusChanged') continue;
      const tally = change.to === 'suspect' ? this.suspicions : change.to === 'dead' ? this.deadVerdicts : undefined;
      tally?.set(change.id, (tally.get(change.id) ?? 0) + 1);
    }
  }
}
