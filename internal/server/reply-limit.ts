import { overLimit, type GokvError } from '../errors/index.js';

/**
 * Room left in a gRPC message for what surrounds a reply's MessagePack bytes: the field tags and
 * lengths of CommandResponse, or a forwarded reply's id and error fields.
 */
export const REPLY_ENVELOPE_BYTES = 64;

/**
 * The LIMIT error for a reply of `bytes` that cannot go in one message of `maxMessageBytes`
 * (limits.max_message_bytes; 0 = no bound), or undefined when it fits. Sent anyway, grpc-js
 * fails the whole call: a client's StreamCommand, or the Forward stream two nodes share, with
 * every command it carries.
 */
export function replyOverLimit(bytes: number, maxMessageBytes: number): GokvError | undefined {
  if (maxMessageBytes <= 0 || bytes + REPLY_ENVELOPE_BYTES <= maxMessageBytes) return undefined;
  return overLimit(`reply of ${bytes} bytes is over limits.max_message_bytes (${maxMessageBytes})`);
}
