import type { PipelineSink } from './stream-pipeline.js';

/** What a StreamCommand call offers the sink: a gRPC duplex call in production. */
export interface WritableCall<T> {
  write(message: T): boolean;
  readonly writableLength: number;
  pause(): void;
  resume(): void;
  end(): void;
}

/** Reply bytes a stream may buffer past grpc-js's own 16 replies before reading pauses. */
export const MAX_BUFFERED_REPLY_BYTES = 1024 * 1024;

/**
 * The pipeline's sink over a StreamCommand call. grpc-js says "full" once 16 replies wait for
 * the socket (its objectMode highWaterMark), and a client with 256 commands in flight fills
 * that at every burst: reading paused and resumed every 16 replies (docs/benchmarks.md counts
 * it, "Changes measured earlier"). Here the transport has room until `maxReplies` replies or
 * MAX_BUFFERED_REPLY_BYTES wait, which bounds a stream's memory as the in-flight limit does.
 * A "full" answer always follows a write that grpc-js refused, so its 'drain' event comes.
 */
export function callSink<T>(call: WritableCall<T>, maxReplies: number, sizeOf: (message: T) => number): PipelineSink<T> {
  let bytesOverMark = 0;
  return {
    write(message) {
      if (call.write(message)) {
        bytesOverMark = 0;
        return true;
      }
      bytesOverMark += sizeOf(message);
      return call.writableLength < maxReplies && bytesOverMark < MAX_BUFFERED_REPLY_BYTES;
    },
    pauseInput: () => call.pause(),
    resumeInput: () => call.resume(),
    end: () => call.end(),
  };
}
