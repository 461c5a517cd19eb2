import type { BinStr, Reply } from '../command/index.js';

/** A command as the servers hand it to the cluster: name, key and arguments as binary strings. */
export interface ServedCommand {
  readonly name: string;
  readonly key: BinStr;
  readonly args: readonly BinStr[];
}

/** One member as the Healthcheck and `gokv-cli status` show it. */
export interface MemberView {
  readonly id: string;
  readonly grpcAddr: string;
  readonly internalAddr: string;
  readonly restAddr: string;
  readonly status: 'alive' | 'suspect' | 'dead' | 'left';
  readonly incarnation: number;
  /** Keys held, when known (the answering node knows its own). */
  readonly keys?: number;
  /** Hand-off state, when known (the answering node knows its own). */
  readonly handOff?: HandOffView;
  /** The answering node only: why it refuses writes now; empty or absent while it accepts them. */
  readonly writesRefused?: string;
  /** The answering node only: ops not yet acknowledged, per member it replicates to. */
  readonly replicationLag?: ReadonlyMap<string, number>;
}

export interface HandOffView {
  /** Keys and estimated bytes of the running hand-off still to send. */
  readonly keysPending: number;
  readonly bytesPending: number;
  /** Ring arcs this node gained and has not been handed yet. */
  readonly arcsArriving: number;
}

/**
 * What the external servers need from the rest of the node. Declared here, by its consumer;
 * node/ satisfies it with the router. `execute` may answer synchronously (a local command) or
 * with a promise (forwarded or replicated); it throws or rejects with a GokvError.
 */
export interface CommandService {
  execute(command: ServedCommand): Reply | Promise<Reply>;
  /** This node first, then every member it knows. */
  members(): MemberView[];
  ringVersion(): number;
}
