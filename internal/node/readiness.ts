/**
 * When a node counts as ready (`GET /healthz` 200, gRPC health SERVING): it has started, it has
 * joined (it has no seeds, or it has heard of at least one other alive member; once joined it
 * stays joined, a lonely node still serves its keys), and it is not stopping. Transitions are
 * reported to `onChange` (the gRPC health status follows them).
 */
export class Readiness {
  private started = false;
  private stopping = false;
  private joined: boolean;
  private last = false;

  constructor(
    private readonly deps: { readonly hasAlivePeer: () => boolean; readonly onChange: (ready: boolean) => void },
    options: { readonly needsJoin: boolean },
  ) {
    this.joined = !options.needsJoin;
  }

  /** Recomputes readiness (call on member changes); returns it. */
  refresh(): boolean {
    if (!this.joined && this.started && this.deps.hasAlivePeer()) this.joined = true;
    const ready = this.started && this.joined && !this.stopping;
    if (ready !== this.last) {
      this.last = ready;
      this.deps.onChange(ready);
    }
    return ready;
  }

  markStarted(): void {
    this.started = true;
    this.refresh();
  }

  /** From the start of stop() on, never ready again. */
  markStopping(): void {
    this.stopping = true;
    this.refresh();
  }
}
