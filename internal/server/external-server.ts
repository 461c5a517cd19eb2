import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { binFromBuffer, binFromText } from '../store/index.js';
import { encodeReply, loadProtos, toServiceError } from '../wire/index.js';
import { toGokvError, overLimit } from '../errors/index.js';
import type { CommandRequest__Output } from '../gen/commonpb/CommandRequest.js';
import type { CommandResponse } from '../gen/commonpb/CommandResponse.js';
import type { ExternalServerHandlers } from '../gen/externalpb/ExternalServer.js';
import type { HealthcheckResponse } from '../gen/externalpb/HealthcheckResponse.js';
import type { CommandService, ServedCommand } from './command-service.js';
import { callSink } from './call-sink.js';
import { StreamPipeline } from './stream-pipeline.js';

export interface ExternalServerOptions {
  /** Largest argument list accepted before any conversion (limits.max_args). */
  readonly maxArgs: number;
  /** Replies in flight per StreamCommand stream before reading pauses (backpressure). */
  readonly maxInFlightPerStream: number;
}

/** Converts a protobuf request to a served command, refusing oversized argument lists early. */
export function toServedCommand(req: CommandRequest__Output, maxArgs: number): ServedCommand {
  if (req.args.length > maxArgs) {
    throw overLimit(`too many arguments (${req.args.length}) over limits.max_args (${maxArgs})`);
  }
  const args = new Array<string>(req.args.length);
  for (let i = 0; i < args.length; i++) args[i] = binFromBuffer(req.args[i]!);
  return { name: req.command, key: binFromText(req.key), args };
}

const replySize = (m: CommandResponse): number => m.response?.length ?? m.error?.length ?? 0;

/**
 * The ExternalServer gRPC service: an adapter that decodes requests, calls the CommandService
 * and encodes replies. No routing or store logic lives here.
 */
export function externalHandlers(
  service: CommandService,
  log: Logger,
  options: ExternalServerOptions,
): ExternalServerHandlers {
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
        })),
      };
      callback(null, reply);
    },

    RunCommand(call, callback) {
      let result;
      try {
        result = service.execute(toServedCommand(call.request, options.maxArgs));
      } catch (err) {
        callback(toServiceError(err));
        return;
      }
      if (result instanceof Promise) {
        result.then(
          (reply) => callback(null, { response: encodeReply(reply) }),
          (err: unknown) => callback(toServiceError(err)),
        );
      } else {
        callback(null, { response: encodeReply(result) });
      }
    },

    StreamCommand(call) {
      const pipeline = new StreamPipeline<CommandResponse>(
        callSink(call, options.maxInFlightPerStream, replySize),
        options.maxInFlightPerStream,
      );
      call.on('drain', () => pipeline.onDrain());
      call.on('data', (req: CommandRequest__Output) => {
        let result;
        try {
          result = service.execute(toServedCommand(req, options.maxArgs));
        } catch (err) {
          pipeline.push({ error: toGokvError(err).message });
          return;
        }
        if (result instanceof Promise) {
          pipeline.push(
            result.then(
              (reply): CommandResponse => ({ response: encodeReply(reply) }),
              (err: unknown): CommandResponse => ({ error: toGokvError(err).message }),
            ),
          );
        } else {
          pipeline.push({ response: encodeReply(result) });
        }
      });
      call.on('end', () => pipeline.endInput());
      call.on('error', (err) => {
        log.debug({ err }, 'stream error');
        pipeline.cancel();
      });
      call.on('cancelled', () => pipeline.cancel());
    },
  };
}

/** Registers ExternalServer on a gRPC server. */
export function addExternalService(
  server: grpc.Server,
  service: CommandService,
  log: Logger,
  options: ExternalServerOptions,
): void {
  const { external } = loadProtos();
  server.addService(external.externalpb.ExternalServer.service, externalHandlers(service, log, options));
}
