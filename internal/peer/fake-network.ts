import type { Clock, Random } from '../clock/index.js';
import type { HeartbeatSender, MemberEntry } from '../membership/index.js';
import { TransportError } from './transport-error.js';

/**
 * What a node serves on the fake network, one named method per internal RPC. Add `forward`,
 * `replicate`, ... here as their consumers declare them; `call()` routes by method name.
 * A handler may answer synchronously or with a promise; a thrown error or rejection travels back
 * to the caller as is (an application error, not a transport failure).
 */
export interface PeerHandlers {
  heartbeat?(entries: readonly MemberEntry[], from: string): MemberEntry[] | Promise<MemberEntry[]>;
}

export type PeerMethod = keyof PeerHandlers;
type Handler<M extends PeerMethod> = NonNullable<PeerHandlers[M]>;
export type PeerPayload<M extends PeerMethod> = Parameters<Handler<M>>[0];
export type PeerReply<M extends PeerMethod> = Awaited<ReturnType<Handler<M>>>;

export interface FakeNetworkStats {
  calls: number;
  delivered: number;
  failed: number;
  dropped: number;
}

/**
 * An in-memory network keyed by address, for deterministic cluster tests. Every call is a request
 * and a reply, each delivered after `delay(ms)` on the injected Clock (so a ManualClock drives it;
 * with no delay, delivery is a microtask). Faults: `partition`, `isolate`, `drop(p)` (per message,
 * drawn from the injected Random), and unregistered addresses; each makes the call reject with a
 * TransportError (UNAVAILABLE), as the gRPC client does. Payloads are passed by reference, not copied:
 * senders must not mutate a message after sending it (the gRPC transport serializes instead).
 */
export class FakeNetwork {
  private readonly handlers = new Map<string, PeerHandlers>();
  private readonly partitions: Array<readonly [ReadonlySet<string>, ReadonlySet<string>]> = [];
  private readonly isolated = new Set<string>();
  private readonly due = new Map<number, Array<() => void>>();
  private dropProbability = 0;
  private delayMs = 0;
  private inFlight = 0;
  readonly stats: FakeNetworkStats = { calls: 0, delivered: 0, failed: 0, dropped: 0 };

  constructor(private readonly deps: { readonly clock: Clock; readonly random: Random }) {}

  /** Serves `handlers` at `addr` (replacing any earlier registration). */
  register(addr: string, handlers: PeerHandlers): void {
    this.handlers.set(addr, handlers);
  }

  /** Takes `addr` off the network: calls to it fail as if the process were gone. */
  unregister(addr: string): void {
    this.handlers.delete(addr);
  }

  isRegistered(addr: string): boolean {
    return this.handlers.has(addr);
  }

  /** Calls between the two groups fail, both ways, until `heal()`. Partitions accumulate. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.partitions.push([new Set(groupA), new Set(groupB)]);
  }

  /** Cuts `addr` off from every other address until `heal()`. */
  isolate(addr: string): void {
    this.isolated.add(addr);
  }

  /** Removes every partition and isolation (drop and delay stay as set). */
  heal(): void {
    this.partitions.length = 0;
    this.isolated.clear();
  }

  /** Each request and each reply is lost with this probability (the call then rejects). */
  drop(probability: number): void {
    this.dropProbability = Math.min(1, Math.max(0, probability));
  }

  /** Each request and each reply takes this long to arrive. */
  delay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /** Messages and replies not yet delivered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Whether a message from `from` would reach `to` now (partitions and isolation only). */
  canReach(from: string, to: string): boolean {
    return this.blockedReason(from, to) === undefined;
  }

  /** A HeartbeatSender for the node at `fromAddr`. */
  sender(fromAddr: string): HeartbeatSender {
    return { sendHeartbeat: (addr, entries) => this.call(fromAddr, addr, 'heartbeat', entries) };
  }

  /** Sends one request to `to`'s `method` handler and resolves with its reply. */
  call<M extends PeerMethod>(from: string, to: string, method: M, payload: PeerPayload<M>): Promise<PeerReply<M>> {
    this.stats.calls += 1;
    return new Promise<PeerReply<M>>((resolve, reject) => {
      // maybeApplied: false while the handler surely did not run (as for connection refused).
      const fail = (why: string, maybeApplied = false): void => {
        this.stats.failed += 1;
        reject(new TransportError(to, `${method} from ${from}: ${why}`, { maybeApplied }));
      };
      const lost = this.lose();
      const blockedAtSend = this.blockedReason(from, to);
      this.deliver(() => {
        const why = lost ? 'request dropped' : (blockedAtSend ?? this.blockedReason(from, to));
        if (why !== undefined) return fail(why);
        const handlers = this.handlers.get(to);
        const handler = handlers?.[method] as
          | ((payload: PeerPayload<M>, from: string) => PeerReply<M> | Promise<PeerReply<M>>)
          | undefined;
        if (handlers === undefined) return fail('connection refused');
        if (handler === undefined) return fail(`no ${method} handler`);
        let result: PeerReply<M> | Promise<PeerReply<M>>;
        try {
          result = handler.call(handlers, payload, from);
        } catch (err) {
          this.deliver(() => reject(err));
          return;
        }
        const answer = (reply: PeerReply<M>): void => {
          const replyLost = this.lose();
          this.deliver(() => {
            const back = replyLost ? 'reply dropped' : this.blockedReason(to, from);
            if (back !== undefined) return fail(back, true);
            this.stats.delivered += 1;
            resolve(reply);
          });
        };
        // A synchronous answer leaves at once, so one clock.advance() per hop is enough.
        if (result instanceof Promise) result.then(answer, (err: unknown) => this.deliver(() => reject(err)));
        else answer(result);
      });
    });
  }

  private lose(): boolean {
    const lost = this.dropProbability > 0 && this.deps.random.next() < this.dropProbability;
    if (lost) this.stats.dropped += 1;
    return lost;
  }

  private blockedReason(from: string, to: string): string | undefined {
    if (this.isolated.has(from) || this.isolated.has(to)) return 'isolated';
    for (const [a, b] of this.partitions) {
      if ((a.has(from) && b.has(to)) || (b.has(from) && a.has(to))) return 'partitioned';
    }
    return undefined;
  }

  /** Runs `fn` after the current delay, FIFO among messages due at the same time. */
  private deliver(fn: () => void): void {
    this.inFlight += 1;
    const run = (): void => {
      this.inFlight -= 1;
      fn();
    };
    if (this.delayMs === 0) {
      queueMicrotask(run);
      return;
    }
    const at = this.deps.clock.monotonic() + this.delayMs;
    const queue = this.due.get(at);
    if (queue !== undefined) {
      queue.push(run);
      return;
    }
    this.due.set(at, [run]);
    this.deps.clock.setTimeout(() => {
      const batch = this.due.get(at) ?? [];
      this.due.delete(at);
      for (const job of batch) job();
    }, this.delayMs);
  }
}
