import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CLUSTER_SETTINGS_METADATA } from '../config/index.js';
import { toGokvError } from '../errors/index.js';
import type { Reply } from '../command/index.js';
import type { InternalServerHandlers } from '../gen/internalpb/InternalServer.js';
import type { FetchKeysRequest__Output } from '../gen/internalpb/FetchKeysRequest.js';
import type { FetchRangeRequest__Output } from '../gen/internalpb/FetchRangeRequest.js';
import type { RebalanceResponse } from '../gen/internalpb/RebalanceResponse.js';
import { binFromBuffer as bin, binToBuffer as bytes } from '../store/index.js';
import {
  decodeForwardBatch,
  decodeRebalanceRequest,
  encodeFetchKeysResponse,
  encodeFetchRangeResponse,
  encodeForwardReplyBatch,
  encodeReply,
  loadProtos,
  toServiceError,
  type ForwardBatchMessage,
  type ForwardReplyBatchMessage,
  type ForwardReplyMessage,
  type FetchKeysResponseMessage,
  type FetchRangeResponseMessage,
  type ReceivedRebalanceRequest,
} from '../wire/index.js';
import { toServedCommand } from './external-server.js';
import type { ReplicationAck } from '../replication/index.js';
import { memberFromProto, memberToProto } from './internal-codec.js';
import { decodeReplicateBatch, encodeReplicateAck, type ReplicateBatchMessage } from './replicate-codec.js';
import type { InternalService } from './internal-service.js';
import { figuresToProto } from './node-stats.js';
import { REPLY_ENVELOPE_BYTES, replyOverLimit } from './reply-limit.js';
import { nodePeersOnly } from './node-peers-only.js';

/**
 * InternalServer's handlers: Forward, Replicate and the messages that carry key states in bulk
 * over gokv's own codecs (wire/forward-codec.ts, replicate-codec.ts, wire/rebalance-codec.ts).
 */
export interface InternalHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: InternalServerHandlers['Heartbeat'];
  ForwardCommand: InternalServerHandlers['ForwardCommand'];
  Rebalance: grpc.handleClientStreamingCall<ReceivedRebalanceRequest, RebalanceResponse>;
  Forward: grpc.handleBidiStreamingCall<ForwardBatchMessage, ForwardReplyBatchMessage>;
  Replicate: grpc.handleBidiStreamingCall<ReplicateBatchMessage, ReplicationAck>;
  FetchKeys: grpc.handleUnaryCall<FetchKeysRequest__Output, FetchKeysResponseMessage>;
  ScanRange: InternalServerHandlers['ScanRange'];
  FetchRange: grpc.handleUnaryCall<FetchRangeRequest__Output, FetchRangeResponseMessage>;
  NodeStats: InternalServerHandlers['NodeStats'];
  KeyDigests: InternalServerHandlers['KeyDigests'];
}

/**
 * The InternalServer gRPC service: adapters from protos to the InternalService. Forward's
 * replies are bounded by `maxMessageBytes` (limits.max_message_bytes; 0 = none): one too large
 * is a LIMIT error for its command, and replies are split across messages to fit.
 */
export function internalHandlers(service: InternalService, log: Logger, maxArgs: number, maxMessageBytes = 0): InternalHandlers {
  return {
    Heartbeat(call, callback) {
      try {
        const settings = call.metadata.get(CLUSTER_SETTINGS_METADATA)[0];
        const entries = service.heartbeat(call.request.fromNodeId, call.request.peers.map(memberFromProto), typeof settings === 'string' ? settings : undefined);
        callback(null, { peers: entries.map(memberToProto) });
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    // Kept for compatibility and simple tools; nodes use the batched Forward stream.
    ForwardCommand(call, callback) {
      let result: Reply | Promise<Reply>;
      try {
        result = service.execute(toServedCommand(call.request, maxArgs), 1, false);
      } catch (err) {
        callback(toServiceError(err));
        return;
      }
      Promise.resolve(result).then(
        (reply) => callback(null, { response: encodeReply(reply) }),
        (err: unknown) => callback(toServiceError(err)),
      );
    },

    Forward(call) {
      const out = new ReplyBatcher((replies) => call.write({ replies }), maxMessageBytes);
      const answer = (id: number, reply: Reply): void => {
        const response = encodeReply(reply);
        const over = replyOverLimit(response.length, maxMessageBytes);
        out.push(over === undefined ? { id, response } : errorReply(id, over));
      };
      call.on('data', (batch: ForwardBatchMessage) => {
        const origin = batch.fromNodeId === '' ? undefined : { nodeId: batch.fromNodeId, incarnation: batch.fromIncarnation };
        for (const c of batch.commands) {
          const id = c.id;
          try {
            const result = service.execute({ name: c.name, key: c.key, args: c.args }, c.hops, c.replicaRead, origin);
            if (result instanceof Promise) {
              result.then(
                (reply) => answer(id, reply),
                (err: unknown) => out.push(errorReply(id, err)),
              );
            } else answer(id, result);
          } catch (err) {
            out.push(errorReply(id, err));
          }
        }
      });
      call.on('end', () => out.close(() => call.end()));
      call.on('error', (err) => log.debug({ err }, 'forward stream error'));
    },

    Replicate(call) {
      // Batches apply in the order they came. One applied asynchronously (a large state built
      // over several turns) holds the stream: reading pauses, and what was read meanwhile waits.
      const waiting: ReplicateBatchMessage[] = [];
      let busy = false;
      let ended = false;
      let failed = false;
      // A batch that fails ends the call with its error, and nothing after it is applied: the
      // leader resends the keys of every unacknowledged op as states on a new stream. (Destroyed
      // instead, the call sent no status: the leader's stream stayed open, never acked again.)
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        waiting.length = 0;
        log.error({ err }, 'replication batch failed');
        call.emit('error', toServiceError(err));
      };
      const run = (batch: ReplicateBatchMessage): void => {
        if (failed) return;
        let ack: ReturnType<InternalService['applyReplication']>;
        try {
          ack = service.applyReplication(batch.leaderId, batch.ops);
        } catch (err) {
          fail(err);
          return;
        }
        if (!(ack instanceof Promise)) {
          call.write(ack);
          return;
        }
        busy = true;
        call.pause();
        ack.then(
          (settled) => {
            busy = false;
            if (failed || call.destroyed) return;
            call.write(settled);
            while (!busy && waiting.length > 0) run(waiting.shift()!);
            if (busy) return;
            if (ended) call.end();
            else call.resume();
          },
          fail,
        );
      };
      call.on('data', (batch: ReplicateBatchMessage) => {
        if (busy) waiting.push(batch);
        else run(batch);
      });
      call.on('end', () => {
        ended = true;
        if (!busy && !failed) call.end();
      });
      call.on('error', (err) => log.debug({ err }, 'replicate stream error'));
    },

    NodeStats(_call, callback) {
      if (!service.nodeStats) {
        callback({ code: grpcStatus.UNIMPLEMENTED, details: 'NodeStats is not served by this node' });
        return;
      }
      try {
        callback(null, figuresToProto(service.nodeStats()));
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    KeyDigests(call, callback) {
      if (!service.keyDigests) {
        callback({ code: grpcStatus.UNIMPLEMENTED, details: 'KeyDigests is not served by this node' });
        return;
      }
      try {
        const entries = service.keyDigests(call.request.keys.map(bin)).map((d) => ({ ...d, key: bytes(d.key) }));
        callback(null, { entries });
      } catch (err) {
        callback(toServiceError(err));
      }
    },

    // One hand-off message per call: the answer is its acknowledgement (sent after the merge,
    // and after keys not owned here were passed on: see rebalance/strays.ts). Messages of one
    // call are handled in order, each after the one before has settled.
    Rebalance(call, callback) {
      let answered = false;
      const answer: Parameters<typeof callback> = [null, { success: true, applied: 0, missing: [], arriving: [] }];
      let handled: Promise<void> = Promise.resolve();
      const handle = async (req: ReceivedRebalanceRequest): Promise<void> => {
        if (answered) return;
        try {
          const result = await service.rebalance(req.fromNodeId, req);
          const prev = answer[1]!;
          answer[1] = {
            success: true,
            applied: (prev.applied ?? 0) + result.applied,
            missing: [...(prev.missing ?? []), ...result.missing.map(bytes)],
            arriving: [...(prev.arriving ?? []), ...result.arriving.map(bytes)],
          };
        } catch (err) {
          answered = true;
          log.warn({ err, from: req.fromNodeId }, 'hand-off message refused');
          callback(toServiceError(err));
        }
      };
      call.on('data', (req: ReceivedRebalanceRequest) => {
        handled = handled.then(() => handle(req));
      });
      call.on('end', () => {
        void handled.then(() => {
          if (!answered) callback(...answer);
        });
      });
      call.on('error', (err) => log.debug({ err }, 'rebalance stream error'));
    },

    // Answered once any key still arriving at this node has arrived (a chained pull).
    FetchKeys(call, callback) {
      Promise.resolve()
        .then(() => service.fetchKeys(call.request.fromNodeId, call.request.keys.map(bin), call.request.chain))
        .then(
          (answer) => callback(null, answer),
          (err: unknown) => callback(toServiceError(err)),
        );
    },

    // Answered once the range's own previous owners were listed, where it is still arriving here.
    ScanRange(call, callback) {
      const { fromNodeId, from, to, args, chain } = call.request;
      Promise.resolve()
        .then(() => service.scanRange(from, to, args.map(bin), fromNodeId, chain))
        .then(
          (page) => callback(null, { keys: page.keys.map(bytes), next: page.next }),
          (err: unknown) => callback(toServiceError(err)),
        );
    },

    FetchRange(call, callback) {
      const { fromNodeId, forNodeId, from, to } = call.request;
      try {
        const page = service.fetchRange(fromNodeId, forNodeId, from, to);
        callback(null, { states: page.states, next: page.next, stillFrom: page.stillFrom });
      } catch (err) {
        callback(toServiceError(err));
      }
    },
  };
}

function errorReply(id: number, err: unknown): ForwardReplyMessage {
  const e = toGokvError(err);
  return { id, error: e.message, errorCode: e.code };
}

/**
 * Collects replies finished in the same tick into one message, of at most `maxBytes` (0 = no
 * bound): a reply that would take a batch past it sends the batch so far first.
 */
class ReplyBatcher {
  private batch: ForwardReplyMessage[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private inFlight = 0;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly write: (replies: ForwardReplyMessage[]) => void,
    private readonly maxBytes = 0,
  ) {}

  push(reply: ForwardReplyMessage): void {
    const size = (reply.response?.length ?? 0) + (reply.error === undefined ? 0 : Buffer.byteLength(reply.error)) + REPLY_ENVELOPE_BYTES;
    if (this.maxBytes > 0 && this.batch.length > 0 && this.batchBytes + size > this.maxBytes) {
      this.write(this.batch);
      this.batch = [];
      this.batchBytes = 0;
    }
    this.batch.push(reply);
    this.batchBytes += size;
    if (this.scheduled) return;
    this.scheduled = true;
    this.inFlight++;
    setImmediate(() => {
      this.scheduled = false;
      this.inFlight--;
      const replies = this.batch;
      this.batch = [];
      this.batchBytes = 0;
      if (replies.length > 0) this.write(replies);
      if (this.inFlight === 0) this.onIdle?.();
    });
  }

  close(done: () => void): void {
    if (!this.scheduled) done();
    else this.onIdle = done;
  }
}

export function addInternalService(server: grpc.Server, service: InternalService, log: Logger, maxArgs: number, maxMessageBytes = 0): void {
  const { internal } = loadProtos();
  const definition = internal.internalpb.InternalServer.service;
  // The two streams every write crosses, and the messages that carry key states in bulk, use
  // gokv's own codecs (wire/forward-codec.ts, replicate-codec.ts, wire/rebalance-codec.ts); the
  // other methods keep proto-loader's.
  const withCodecs = {
    ...definition,
    Forward: { ...definition.Forward, requestDeserialize: decodeForwardBatch, responseSerialize: encodeForwardReplyBatch },
    Replicate: { ...definition.Replicate, requestDeserialize: decodeReplicateBatch, responseSerialize: encodeReplicateAck },
    Rebalance: { ...definition.Rebalance, requestDeserialize: decodeRebalanceRequest },
    FetchKeys: { ...definition.FetchKeys, responseSerialize: encodeFetchKeysResponse },
    FetchRange: { ...definition.FetchRange, responseSerialize: encodeFetchRangeResponse },
  };
  server.addService(withCodecs, nodePeersOnly(internalHandlers(service, log, maxArgs, maxMessageBytes), withCodecs, log));
}
