import type { Reply } from '../command/index.js';
import { isGokvError } from '../errors/index.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { ReplicaStream, ReplicaTransport } from '../replication/index.js';
import type { Forwarder } from '../router/index.js';
import type { CommandService } from '../server/index.js';

const outcomeOf = (err: unknown) => (isGokvError(err) ? err.code : 'INTERNAL');

type Outcome = Parameters<NodeMetrics['commandDone']>[1];

function record(metrics: NodeMetrics, name: string, outcome: Outcome, start: number): void {
  metrics.commandDone(name, outcome, (performance.now() - start) / 1000);
}

/**
 * The CommandService with every client command counted and timed (gRPC and REST both call it).
 * A synchronous answer stays synchronous, and allocates nothing here; a promise is timed until
 * it settles.
 */
export function instrumentService(inner: CommandService, metrics: NodeMetrics): CommandService {
  return {
    execute(command) {
      const start = performance.now();
      let result: Reply | Promise<Reply>;
      try {
        result = inner.execute(command);
      } catch (err) {
        record(metrics, command.name, outcomeOf(err), start);
        throw err;
      }
      if (!(result instanceof Promise)) {
        record(metrics, command.name, 'ok', start);
        return result;
      }
      return result.then(
        (reply) => {
          record(metrics, command.name, 'ok', start);
          return reply;
        },
        (err: unknown) => {
          record(metrics, command.name, outcomeOf(err), start);
          throw err;
        },
      );
    },
    members: () => inner.members(),
    ringVersion: () => inner.ringVersion(),
  };
}

/** Counts forwarded commands by outcome: answered, answered with an error, or a failed hop. */
export function countingForwarder(inner: Forwarder, metrics: NodeMetrics): Forwarder {
  return {
    forward(memberId, command) {
      return inner.forward(memberId, command).then(
        (bytes) => {
          metrics.forwardDone('ok');
          return bytes;
        },
        (err: unknown) => {
          const transport = typeof err === 'object' && err !== null && (err as { transport?: unknown }).transport === true;
          metrics.forwardDone(transport ? 'transport' : 'error');
          throw err;
        },
      );
    },
  };
}

/** Counts the ops a leader sends to its replicas (writes, and key states for resyncs). */
export function countingReplicaTransport(inner: ReplicaTransport, metrics: NodeMetrics): ReplicaTransport {
  return {
    open(replicaId): ReplicaStream {
      const stream = inner.open(replicaId);
      return {
        send(leaderId, ops) {
          let writes = 0;
          for (const op of ops) if (op.write !== undefined) writes++;
          metrics.replicationSent(writes, ops.length - writes);
          stream.send(leaderId, ops);
        },
        onAck: (handler) => stream.onAck(handler),
        onClose: (handler) => stream.onClose(handler),
        close: () => stream.close(),
      };
    },
  };
}
