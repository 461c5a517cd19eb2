import type { Logger } from 'pino';

/** A client the budget may close: a RESP connection or a StreamCommand stream. */
export interface MemoryHolder {
  /** Bytes held for it now, as it last reported (ClientMemory.change). */
  readonly heldBytes: number;
  /** Closes it; it reports its bytes back (a negative change) as it closes. */
  evict(): void;
}

/** At most one warning this often about clients closed for limits.max_client_memory. */
const WARN_EVERY_MS = 10_000;

/**
 * limits.max_client_memory: the bytes a node holds for all its clients together, RESP
 * connections and StreamCommand streams alike (requests received and not yet run, replies ready
 * and not yet sent). When a report grows the sum past the bound, the clients holding the most
 * are closed until it is back under, as Redis's maxmemory-clients evicts its largest clients.
 * Only growth closes anyone: a client that gives bytes back is never closed for it, mid-write.
 * Without it, 100 RESP connections each holding a 24 MB command short of its last byte took a
 * node from 88 MB to 3.3 GB, and replies forwarded for a client that did not read piled up.
 */
export class ClientMemory {
  private readonly holders = new Set<MemoryHolder>();
  private held = 0;
  private evicting = false;
  private closedSinceWarning = 0;
  private warnedAtMs = -Infinity;
  /** Clients closed for the bound since start (INFO stats evicted_clients). */
  evicted = 0;

  /** `max` 0 = no bound. `elapsed` is monotonic ms, for the warning's throttle. */
  constructor(
    private readonly max: number,
    private readonly log: Logger,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  /** Bytes held for every client together. */
  get total(): number {
    return this.held;
  }

  /** Adds a client; returns its removal (call it once the client has reported its bytes back). */
  register(holder: MemoryHolder): () => void {
    this.holders.add(holder);
    return () => this.holders.delete(holder);
  }

  /** A client's bytes changed by `delta`; may close the largest clients (possibly this one). */
  change(delta: number): void {
    this.held += delta;
    if (this.max <= 0 || delta <= 0 || this.held <= this.max || this.evicting) return;
    this.evicting = true;
    try {
      while (this.held > this.max) {
        let largest: MemoryHolder | undefined;
        for (const h of this.holders) if (largest === undefined || h.heldBytes > largest.heldBytes) largest = h;
        if (largest === undefined || largest.heldBytes === 0) break;
        this.holders.delete(largest);
        this.evicted++;
        this.closedSinceWarning++;
        largest.evict();
      }
    } finally {
      this.evicting = false;
    }
    const now = this.elapsed();
    if (now - this.warnedAtMs < WARN_EVERY_MS) return;
    this.warnedAtMs = now;
    this.log.warn(
      { closed: this.closedSinceWarning, maxClientMemory: this.max },
      'clients closed: bytes held for all clients (requests not yet run, replies not yet sent) over limits.max_client_memory (largest first)',
    );
    this.closedSinceWarning = 0;
  }
}
