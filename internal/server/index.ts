// server/ owns the gRPC services as adapters: decode a request, call the CommandService (or the
// cluster internals), encode the reply. No ring, store or routing logic lives here.
export {
  addExternalService,
  runCommandReplies,
  externalHandlers,
  OpenStreams,
  toServedCommand,
  type ExternalHandlers,
  type ExternalServerOptions,
} from './external-server.js';
export type { CommandService, HandOffView, ServedCommand, MemberView } from './command-service.js';
export { StreamPipeline, type PipelineSink } from './stream-pipeline.js';
export { Waiters } from './waiters.js';
export { ClientMemory, type MemoryHolder } from './client-memory.js';
export { startGrpcServer, type BoundServer } from './grpc-server.js';
export { addInternalService, internalHandlers, type InternalHandlers } from './internal-server.js';
export {
  decodeReplicateAck,
  decodeReplicateBatch,
  encodeReplicateAck,
  encodeReplicateBatch,
  type ReplicateBatchMessage,
} from './replicate-codec.js';
export type { FetchedKeys, ForwardOrigin, HandOffMessage, InternalService, ScannedRange } from './internal-service.js';
export * from './internal-codec.js';
export { figuresFromProto, figuresToProto, type HandOffFigures, type NodeFigures } from './node-stats.js';
