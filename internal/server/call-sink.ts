import type { PipelineSink } from './stream-pipeline.js';

/** What a StreamCommand call offers the sink: a gRPC duplex call in production. */
export interface WritableCall<T> {
  /** `done` runs once the message was handed to HTTP/2 (grpc-js never runs it on a cancelled call). */
  write(message: T, done: () => void): boolean;
  readonly writableLength: number;
  pause(): void;
  resume(): void;
  end(): void;
}

/** Reply bytes a stream may have handed to grpc-js and not yet seen go out, before reading pauses. */
export const MAX_BUFFERED_REPLY_BYTES = 1024 * 1024;

/** The pipeline's sink over a call, with the hooks its owner wires once the pipeline exists. */
export interface CallSink<T> extends PipelineSink<T> {
  /**
   * Set by the owner: called when the bytes waiting in grpc-js fall back under the bound after
   * `write` said "full" for them alone (grpc-js had taken the write, so no 'drain' follows).
   */
  onRoom: () => void;
  /** Gives back the bytes still counted (the call was cancelled or closed: their callbacks never come). */
  release(): void;
}

/**
 * The pipeline's sink over a StreamCommand call. grpc-js says "full" once 16 replies wait for
 * the socket (its objectMode highWaterMark), and a client with 256 commands in flight fills
 * that at every burst: reading paused and resumed every 16 replies (docs/benchmarks.md counts
 * it, "Changes measured earlier"). Here the transport has room until `maxReplies` replies wait.
 *
 * Bytes bound it too: every reply handed to grpc-js counts until its write callback says it
 * went out, and past MAX_BUFFERED_REPLY_BYTES the sink is full whatever grpc-js said. Counting
 * only what grpc-js refused let 16 replies of 10 MB wait per stream unseen: 25 streams that did
 * not read took a node to 4.3 GB with no client closed. `transportBytes` reports the count, so
 * limits.max_client_memory sees it.
 */
export function callSink<T>(
  call: WritableCall<T>,
  maxReplies: number,
  sizeOf: (message: T) => number,
  transportBytes?: (delta: number) => void,
): CallSink<T> {
  let queued = 0;
  let released = false;
  /** "Full" was said for bytes alone: the last write callback under the bound wakes the pipeline. */
  let waitingForBytes = false;
  const sink: CallSink<T> = {
    onRoom: () => undefined,
    write(message) {
      if (released) return false;
      const size = sizeOf(message);
      queued += size;
      transportBytes?.(size);
      if (released) return false; // that report went over max_client_memory and closed this stream
      const took = call.write(message, () => {
        if (released) return;
        queued -= size;
        transportBytes?.(-size);
        if (waitingForBytes && queued < MAX_BUFFERED_REPLY_BYTES) {
          waitingForBytes = false;
          sink.onRoom();
        }
      });
      if (queued >= MAX_BUFFERED_REPLY_BYTES) {
        waitingForBytes ||= took;
        return false;
      }
      return took || call.writableLength < maxReplies;
    },
    release() {
      if (released) return;
      released = true;
      if (queued > 0) transportBytes?.(-queued);
      queued = 0;
    },
    pauseInput: () => call.pause(),
    resumeInput: () => call.resume(),
    end: () => call.end(),
  };
  return sink;
}
