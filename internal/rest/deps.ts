import type { Reply } from '../command/index.js';
import type { Logger } from '../log/index.js';
import type { DashboardSource } from './dashboard-deps.js';

/** A command as REST hands it to the node: name, key and arguments as binary strings. */
export interface RestCommand {
  readonly name: string;
  readonly key: string;
  readonly args: readonly string[];
}

/** One member as `GET /v1/cluster` shows it. */
export interface RestMember {
  readonly id: string;
  readonly grpcAddr: string;
  readonly internalAddr: string;
  readonly restAddr: string;
  readonly status: 'alive' | 'suspect' | 'dead' | 'left';
  readonly incarnation: number;
  readonly keys?: number;
  /** This node only: why it refuses writes now (empty or absent: it accepts them). */
  readonly writesRefused?: string;
}

/**
 * The command path REST calls: the same one the gRPC server uses (node/ passes its
 * CommandService). Declared here, by its consumer. `execute` answers synchronously or with a
 * promise, and throws or rejects with a GokvError.
 */
export interface RestCommandService {
  execute(command: RestCommand): Reply | Promise<Reply>;
  /** This node first, then every member it knows. */
  members(): readonly RestMember[];
  ringVersion(): number;
}

/** This node's own figures for `GET /v1/cluster`. */
export interface NodeSummary {
  readonly id: string;
  readonly keys: number;
  readonly memoryUsedBytes: number;
  /** memory.max_memory; 0 = unlimited. */
  readonly maxMemoryBytes: number;
}

/** The Prometheus text exposition, as a metrics registry renders it. */
export interface MetricsExposition {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export interface RestDeps {
  readonly service: RestCommandService;
  /** True once the node has joined its cluster (or needs no peers) and until it starts stopping. */
  readonly ready: () => boolean;
  readonly node: () => NodeSummary;
  readonly metrics: MetricsExposition;
  readonly log: Logger;
  /** Figures and ring for the dashboard; without it the page still loads, with fewer figures. */
  readonly dashboard?: DashboardSource;
}

export interface RestOptions {
  /** Largest request body accepted, in bytes (larger: 413). */
  readonly maxBodyBytes: number;
  /** Largest argument list accepted (limits.max_args). */
  readonly maxArgs: number;
  /**
   * Set when the server is bound to loopback: the host names, beside localhost and IP addresses,
   * that requests may name in Host (host-guard.ts); unset, any Host is served.
   */
  readonly loopbackHostNames?: readonly string[];
}
