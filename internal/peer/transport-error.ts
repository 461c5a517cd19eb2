import { GokvError } from '../errors/index.js';

/**
 * A call that failed in the transport (connection refused, reset, deadline): evidence that the
 * peer may be unwell, unlike an application error (WRONGTYPE...) which says nothing about it.
 */
export class TransportError extends GokvError {
  readonly transport = true;
  /** False only when the request surely never reached the peer (connection refused). */
  readonly maybeApplied: boolean;
  /** The peer cannot be reached at all (no address known), not merely slow to answer: see wire/status.ts. */
  readonly unreachable: boolean;

  constructor(peer: string, detail: string, options?: { cause?: unknown; maybeApplied?: boolean; unreachable?: boolean }) {
    super('UNAVAILABLE', `UNAVAILABLE peer ${peer}: ${detail}`, options);
    this.maybeApplied = options?.maybeApplied ?? true;
    this.unreachable = options?.unreachable ?? false;
  }
}

export const isTransportError = (err: unknown): err is TransportError => err instanceof TransportError;
