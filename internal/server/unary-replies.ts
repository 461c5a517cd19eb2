import * as grpc from '@grpc/grpc-js';
import { lookupCommand } from '../command/index.js';

/**
 * The bytes of RunCommand replies handed to grpc-js and not yet sent: from the reply's message
 * until grpc-js sends the status (it does so once the message is written) or the call ends. A
 * unary call has no stream for limits.max_client_memory to close, so past that bound RunCommand
 * refuses the reply of a read instead (externalHandlers): 300 HGETALLs of 10 MB on a connection
 * whose client did not read took a node from 106 MB to 3.0 GB.
 */
export class UnaryReplies {
  private pendingBytes = 0;

  constructor(private readonly sizeOf: (message: unknown) => number) {}

  get pending(): number {
    return this.pendingBytes;
  }

  /**
   * A server interceptor that counts RunCommand's replies on `path`; any other method passes
   * through untouched (no interceptor layer, so StreamCommand's path costs nothing more).
   */
  interceptor(path: string): grpc.ServerInterceptor {
    return (method, call) => {
      if (method.path !== path) return call as grpc.ServerInterceptingCall;
      let held = 0;
      const done = () => {
        this.pendingBytes -= held;
        held = 0;
      };
      return new grpc.ServerInterceptingCall(call, {
        start: (next) => next({ onCancel: done }),
        sendMessage: (message, next) => {
          done(); // one reply per call; a second would replace the first's count
          held = this.sizeOf(message);
          this.pendingBytes += held;
          next(message);
        },
        sendStatus: (status, next) => {
          done();
          next(status);
        },
      });
    };
  }
}

/**
 * Whether a command's reply may be refused once it has run: a read's, never a write's (the
 * client would not know its write was applied, and an LPOP's items would be lost).
 */
export function replyMayBeRefused(name: string): boolean {
  const spec = lookupCommand(name);
  if (spec !== undefined) return !spec.flags.write;
  const upper = name.toUpperCase();
  return upper === 'KEYS' || upper === 'DBSIZE' || upper === 'EXPLAIN';
}
