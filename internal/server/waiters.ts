/** Callers waiting for one event (a drain, a close), woken all at once. */
export class Waiters {
  private waiting: Array<() => void> = [];

  /** Settles at the next wakeAll. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  wakeAll(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
