import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/index.js';
import type { ClientMemory, CommandService } from '../server/index.js';

/**
 * What INFO and CONFIG GET report about the answering node. Declared here by its consumer;
 * node/ fills it from the store and the config, so resp/ never touches the store itself.
 */
export interface RespNodeInfo {
  readonly nodeId: string;
  readonly gokvVersion: string;
  readonly maxMemoryBytes: number;
  readonly evictionPolicy: string;
  /** Keys and tombstones: what counts against maxmemory. */
  usedMemoryBytes(): number;
  /** Deletions remembered (see store/tombstones.ts), and their share of usedMemoryBytes. */
  tombstones(): { readonly count: number; readonly bytes: number };
  counters(): { readonly expiredKeys: number; readonly evictedKeys: number; readonly tombstonesPrunedEarly: number };
  /** The snapshotter's state (INFO persistence); absent: no snapshot ever taken. */
  snapshots?(): {
    readonly inProgress: boolean;
    readonly saves: number;
    readonly lastOk: boolean;
    readonly lastSuccessAtMs?: number;
    readonly lastDurationMs?: number;
  };
}

export interface RespServerDeps {
  /** The node's command path (the same one gRPC and REST use). */
  readonly service: CommandService;
  readonly info: RespNodeInfo;
  readonly log: Logger;
  /** Wall-clock ms (TIME); Date.now by default. */
  readonly now?: () => number;
  /** Monotonic ms (uptime, client ages and idle times, warning throttles); performance.now by default. */
  readonly elapsed?: () => number;
  /**
   * Called once per command the RESP layer answers itself (PING, HELLO, INFO, ...) with its name as
   * sent, `ok` or its error code, and its seconds: the service path counts every other command.
   */
  readonly onSessionCommand?: (name: string, outcome: 'ok' | ErrorCode, seconds: number) => void;
  /** The node's limits.max_client_memory budget, shared with StreamCommand; else one of its own from options. */
  readonly memory?: ClientMemory;
}

export interface RespServerOptions {
  /** limits.max_args: arguments after the key. */
  readonly maxArgs: number;
  /** limits.max_value_bytes: the longest bulk string accepted. */
  readonly maxValueBytes: number;
  /** limits.max_message_bytes: the most bulk bytes in one command. */
  readonly maxMessageBytes: number;
  /** limits.max_in_flight_per_stream: replies pending per connection before reading pauses. */
  readonly maxInFlight: number;
  /** limits.max_clients: connections open at once; one more is refused as Redis refuses it. */
  readonly maxClients: number;
  /** limits.max_client_memory: bytes held for all clients together, requests and replies (0: no bound). */
  readonly maxClientMemory: number;
}
