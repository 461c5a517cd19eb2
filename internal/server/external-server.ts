import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { binFromBuffer, binFromText } from '../store/index.js';
import {
  encodeReply,
  loadProtos,
  toServiceError,
  withCommandCodec,
  type CommandReply,
  type DecodedCommand,
} from '../wire/index.js';
import { GokvError, toGokvError, overLimit, unavailable } from '../errors/index.js';
import type { CommandRequest__Output } from '../gen/commonpb/CommandRequest.js';
import type { HealthcheckRequest__Output } from '../gen/externalpb/HealthcheckRequest.js';
import type { HealthcheckResponse } from '../gen/externalpb/HealthcheckResponse.js';
import type { Reply } from '../command/index.js';
import type { CommandService, ServedCommand } from './command-service.js';
import { callSink } from './call-sink.js';
import type { ClientMemory } from './client-memory.js';
import { StreamPipeline } from './stream-pipeline.js';
import { replyOverLimit } from './reply-limit.js';
import { replyMayBeRefused, UnaryReplies } from './unary-replies.js';

/** Why a stream's KEYS or SCAN was not run: the stream closed first. Nobody reads it. */
const STREAM_GONE = new GokvError('ERR', 'ERR the stream closed before the command ran');
const ignore = (): void => {};

/** KEYS and SCAN, in any case; other commands (HSET, HGET) are told apart without allocating. */
function walksKeyspace(name: string): boolean {
  if (name.length !== 4) return false;
  const first = name.charCodeAt(0) | 0x20; // ASCII lower case
  if (first !== 0x6b /* k */ && first !== 0x73 /* s */) return false;
  const upper = name.toUpperCase();
  return upper === 'KEYS' || upper === 'SCAN';
}

export interface ExternalServerOptions {
  /** Largest argument list accepted before any conversion (limits.max_args). */
  readonly maxArgs: number;
  /** Replies in flight per StreamCommand stream before reading pauses (backpressure). */
  readonly maxInFlightPerStream: number;
  /** limits.max_message_bytes: a larger reply is a LIMIT error for its command (0 = no bound). */
  readonly maxMessageBytes?: number;
  /** limits.max_client_memory, shared with the RESP port: replies waiting on a stream count. */
  readonly memory?: ClientMemory;
  /** RunCommand replies not yet sent (unary-replies.ts); past `memory`'s bound a read's is refused. */
  readonly unaryReplies?: UnaryReplies;
  /** limits.max_client_memory in bytes (0 = no bound), for unaryReplies. */
  readonly maxClientMemory?: number;
}

function checkArgCount(count: number, maxArgs: number): void {
  if (count > maxArgs) throw overLimit(`too many arguments (${count}) over limits.max_args (${maxArgs})`);
}

/** Converts a proto-loader request (internal ForwardCommand) to a served command. */
export function toServedCommand(req: CommandRequest__Output, maxArgs: number): ServedCommand {
  checkArgCount(req.args.length, maxArgs);
  const args = new Array<string>(req.args.length);
  for (let i = 0; i < args.length; i++) args[i] = binFromBuffer(req.args[i]!);
  return { name: req.command, key: binFromText(req.key), args };
}

/**
 * A request decoded by wire's command codec is already in the served form; only its size is
 * checked, and bytes that were not a CommandRequest are refused (INVALID_ARGUMENT, or in-band).
 */
function servedFromDecoded(req: DecodedCommand, maxArgs: number): ServedCommand {
  if (req.malformed !== undefined) throw new GokvError('ERR', `ERR malformed CommandRequest: ${req.malformed}`);
  checkArgCount(req.argCount, maxArgs);
  return req;
}

const errorMessage = (err: unknown): CommandReply => ({ error: toGokvError(err).message });

/** A reply's bytes, or throws LIMIT when they cannot go in one message (reply-limit.ts). */
function encodeWithin(reply: Reply, maxMessageBytes: number): Uint8Array {
  const response = encodeReply(reply);
  const over = replyOverLimit(response.length, maxMessageBytes);
  if (over !== undefined) throw over;
  return response;
}

const replySize = (m: CommandReply): number => m.response?.length ?? m.error?.length ?? 0;

const UNARY_OVER_LIMIT = 'reply not sent: the RunCommand replies gRPC clients have not read yet are over limits.max_client_memory; retry';

const STOPPING = 'this node is stopping: commands after the last reply were not run; retry on another node';

/**
 * The open StreamCommand streams, stopped with the node: each stops reading, answers the commands
 * it already runs, then ends UNAVAILABLE. Cut off at the server's shutdown instead, a stream's
 * commands in flight would run with their replies lost (CANCELLED), and it would go on taking
 * new commands for the whole grace period.
 */
export class OpenStreams {
  private readonly stops = new Set<() => void>();
  private stopping = false;

  /** Registers a stream's stop; returns its removal. A stream opened once stopping stops at once. */
  add(stop: () => void): () => unknown {
    if (this.stopping) stop();
    else this.stops.add(stop);
    return () => this.stops.delete(stop);
  }

  stopAll(): void {
    this.stopping = true;
    for (const stop of [...this.stops]) stop();
    this.stops.clear();
  }
}

/** ExternalServer's handlers over the command codec's request and reply types. */
export interface ExternalHandlers extends grpc.UntypedServiceImplementation {
  Healthcheck: grpc.handleUnaryCall<HealthcheckRequest__Output, HealthcheckResponse>;
  RunCommand: grpc.handleUnaryCall<DecodedCommand, CommandReply>;
  StreamCommand: grpc.handleBidiStreamingCall<DecodedCommand, CommandReply>;
}

/**
 * The ExternalServer gRPC service: an adapter that decodes requests, calls the CommandService
 * and encodes replies. No routing or store logic lives here.
 */
export function externalHandlers(
  service: CommandService,
  log: Logger,
  options: ExternalServerOptions,
  streams = new OpenStreams(),
): ExternalHandlers {
  const maxMessageBytes = options.maxMessageBytes ?? 0;
  const { unaryReplies } = options;
  const maxClientMemory = options.maxClientMemory ?? 0;
  /** A read's reply that would take the unsent RunCommand replies over max_client_memory. */
  const unaryOverLimit = (size: number, name: string): boolean =>
    unaryReplies !== undefined && maxClientMemory > 0 && unaryReplies.pending + size > maxClientMemory && replyMayBeRefused(name);
  const replyMessage = (reply: Reply): CommandReply => ({ response: encodeWithin(reply, maxMessageBytes) });
  /** The response message of a reply, or its error in-band (StreamCommand). */
  const messageOf = (reply: Reply): CommandReply => {
    try {
      return replyMessage(reply);
    } catch (err) {
      return errorMessage(err);
    }
  };
  return {
    Healthcheck(_call, callback) {
      const reply: HealthcheckResponse = {
        ringVersion: service.ringVersion(),
        peers: service.members().map((m) => ({
          nodeId: m.id,
          nodeAddr: m.grpcAddr,
          alive: m.status === 'alive',
          status: m.status,
          internalAddr: m.internalAddr,
          restAddr: m.restAddr,
          keys: m.keys ?? 0,
          ringVersion: service.ringVersion(),
          incarnation: m.incarnation,
          handoffKeysPending: m.handOff?.keysPending ?? 0,
          handoffBytesPending: m.handOff?.bytesPending ?? 0,
          arcsArriving: m.handOff?.arcsArriving ?? 0,
          writesRefused: m.writesRefused ?? '',
          replicationLagOps: m.replicationLag === undefined ? {} : Object.fromEntries(m.replicationLag),
        })),
      };
      callback(null, reply);
    },

    RunCommand(call, callback) {
      let result;
      try {
        result = service.execute(servedFromDecoded(call.request, options.maxArgs));
      } catch (err) {
        callback(toServiceError(err));
        return;
      }
      const answer = (reply: Reply): void => {
        let message: CommandReply;
        try {
          message = replyMessage(reply);
        } catch (err) {
          callback(toServiceError(err));
          return;
        }
        if (unaryOverLimit(replySize(message), call.request.name)) {
          callback(toServiceError(overLimit(UNARY_OVER_LIMIT)));
          return;
        }
        callback(null, message);
      };
      if (result instanceof Promise) {
        result.then(answer, (err: unknown) => callback(toServiceError(err)));
      } else {
        answer(result);
      }
    },

    StreamCommand(call) {
      let stopping = false;
      let inputEnded = false;
      let dropped = false;
      let forget = (): unknown => undefined;
      /** The stream's KEYS and SCAN, run one after another (see walksKeyspace). */
      let lastWalk: Promise<unknown> = Promise.resolve();
      const { memory } = options;
      // Replies ready but waiting (for the client to read, or behind a slow one), here or in
      // grpc-js, count toward limits.max_client_memory; past it the largest holder is closed,
      // this stream perhaps.
      const holder = { heldBytes: 0, evict: () => evicted() };
      const held = (delta: number) => {
        holder.heldBytes += delta;
        memory!.change(delta);
      };
      const forgetHeld = memory?.register(holder);
      const sink = callSink(call, options.maxInFlightPerStream, replySize, memory === undefined ? undefined : held);
      const pipeline = new StreamPipeline<CommandReply>(
        {
          ...sink,
          ...(memory === undefined
            ? {}
            : {
                heldBytes: held,
                sizeOf: replySize,
              }),
          resumeInput: () => {
            if (!stopping) sink.resumeInput();
          },
          end: () => {
            forget();
            forgetHeld?.();
            // A client that ended its side and had every command run gets a plain end. Else it
            // learns where its commands stopped.
            if (stopping && (!inputEnded || dropped)) call.emit('error', toServiceError(unavailable(STOPPING)));
            else sink.end();
          },
        },
        options.maxInFlightPerStream,
      );
      sink.onRoom = () => pipeline.onDrain();
      const evicted = () => {
        // As at a node's stop: what the stream sends after this is dropped, not run with its
        // reply lost.
        stopping = true;
        call.pause();
        forget();
        pipeline.cancel(); // gives its bytes back
        sink.release();
        forgetHeld?.();
        call.emit('error', toServiceError(overLimit('stream closed: the replies waiting for this client, with those of all clients, went over limits.max_client_memory')));
      };
      forget = streams.add(() => {
        stopping = true;
        call.pause();
        pipeline.endInput();
      });
      call.on('drain', () => pipeline.onDrain());
      call.on('data', (req: DecodedCommand) => {
        if (stopping) {
          dropped = true; // read before the pause took effect: not run, and said so by the status
          return;
        }
        let result;
        try {
          const command = servedFromDecoded(req, options.maxArgs);
          if (walksKeyspace(command.name)) {
            // KEYS and SCAN answer up to a whole keyspace: one of a stream runs at a time, once
            // the client has read enough for its reply to go out, and none after the stream is
            // gone. Before, 256 pipelined KEYS over 300k keys ran at once on a stream whose
            // client did not read, and went on for a minute after it cancelled (RSS 2.7 GB).
            result = lastWalk.then(async () => {
              await pipeline.whenRoom();
              if (pipeline.isClosed) throw STREAM_GONE;
              return service.execute(command);
            });
            lastWalk = result.then(ignore, ignore);
          } else {
            result = service.execute(command);
          }
        } catch (err) {
          pipeline.push({ error: toGokvError(err).message });
          return;
        }
        if (result instanceof Promise) {
          pipeline.pushSettled(result, replyMessage, errorMessage);
        } else {
          pipeline.push(messageOf(result));
        }
      });
      call.on('end', () => {
        inputEnded = true;
        pipeline.endInput();
      });
      call.on('error', (err) => {
        log.debug({ err }, 'stream error');
        forget();
        pipeline.cancel();
        sink.release();
        forgetHeld?.();
      });
      call.on('cancelled', () => {
        forget();
        pipeline.cancel();
        sink.release();
        forgetHeld?.();
      });
    },
  };
}

/**
 * The count of RunCommand replies not yet sent, and the interceptor that keeps it: pass the
 * interceptor to the external grpc.Server's constructor and the count to addExternalService.
 */
export function runCommandReplies(): { replies: UnaryReplies; interceptor: grpc.ServerInterceptor } {
  const replies = new UnaryReplies((m) => replySize(m as CommandReply));
  const { path } = loadProtos().external.externalpb.ExternalServer.service.RunCommand;
  return { replies, interceptor: replies.interceptor(path) };
}

/** Registers ExternalServer on a gRPC server; stop its open streams before the server stops. */
export function addExternalService(
  server: grpc.Server,
  service: CommandService,
  log: Logger,
  options: ExternalServerOptions,
): OpenStreams {
  const { external } = loadProtos();
  const streams = new OpenStreams();
  server.addService(
    withCommandCodec(external.externalpb.ExternalServer.service, options.maxArgs),
    externalHandlers(service, log, options, streams),
  );
  return streams;
}
