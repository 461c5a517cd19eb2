/**
 * Progress of the hand-off this node is running, as the dashboard reads it. The rebalancer is
 * wired in node/create-node.ts (`handOff:` where the dashboard is built); until it is, no
 * hand-off is ever reported. Counts are for the current run; `startedAtMs` is this node's
 * wall-clock time (only this node turns it into an elapsed time, so clocks are never compared).
 */
export interface HandOffProgress {
  readonly running: boolean;
  readonly keysPlanned: number;
  readonly keysSent: number;
  readonly bytesPlanned: number;
  readonly bytesSent: number;
  readonly startedAtMs: number;
}

/** Called whenever figures are read (at most about once a second); must be cheap. */
export type HandOffProvider = () => HandOffProgress | undefined;

/** The default: nothing running. */
export const NO_HAND_OFF: HandOffProvider = () => undefined;
