/** A hand-off a member is running now; `elapsedMs` is measured on that member's own clock. */
export interface HandOffFigures {
  readonly keysPlanned: number;
  readonly keysSent: number;
  readonly bytesPlanned: number;
  readonly bytesSent: number;
  readonly elapsedMs: number;
}

/**
 * One node's own live figures: what it answers to NodeStats (server/) and what the dashboard
 * shows per member (rest/). Declared here, below both, so they share one shape.
 */
export interface NodeFigures {
  readonly id: string;
  readonly keys: number;
  /** Keys and tombstones: what counts against maxMemoryBytes. */
  readonly memoryUsedBytes: number;
  /** The tombstones' part of memoryUsedBytes (0 from a node older than the field). */
  readonly tombstoneBytes: number;
  /** memory.max_memory; 0 = unlimited. */
  readonly maxMemoryBytes: number;
  readonly opsPerSec: number;
  /** null when no command ran lately. */
  readonly p99LatencyMs: number | null;
  readonly eventLoopDelayMs: number;
  readonly uptimeMs: number;
  /** null when no hand-off is running there. */
  readonly handOff: HandOffFigures | null;
}
