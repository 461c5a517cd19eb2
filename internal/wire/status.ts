import * as grpc from '@grpc/grpc-js';
import { GokvError, ERROR_CODES, toGokvError, type ErrorCode } from '../errors/index.js';

/** Metadata key carrying the GokvError code, so a forwarded error keeps it across a hop. */
export const ERROR_CODE_METADATA = 'gokv-error-code';

const STATUS_BY_CODE: Record<ErrorCode, grpc.status> = {
  ERR: grpc.status.INVALID_ARGUMENT,
  WRONGTYPE: grpc.status.FAILED_PRECONDITION,
  OOM: grpc.status.RESOURCE_EXHAUSTED,
  LIMIT: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  // "May or may not have been applied" is exactly DEADLINE_EXCEEDED's meaning in gRPC.
  UNCERTAIN: grpc.status.DEADLINE_EXCEEDED,
  INTERNAL: grpc.status.INTERNAL,
};

export const grpcStatusOf = (code: ErrorCode): grpc.status => STATUS_BY_CODE[code];

/** A GokvError (or anything thrown) as the error a gRPC handler passes to its callback. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const e = toGokvError(err);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA, e.code);
  return { code: STATUS_BY_CODE[e.code], details: e.message, metadata };
}

/**
 * The client side: a failed call as a GokvError. Application errors keep their code (from
 * metadata), a message over the size limit is LIMIT; anything else (no metadata: the transport
 * or the peer's gRPC stack failed) is UNAVAILABLE and marked `transport` so routers can tell
 * "the node is unwell" from "the command was wrong". Of those, `unreachable` marks a connection
 * that failed (gRPC UNAVAILABLE: refused, reset, closed), as after the peer's process exited,
 * apart from a call that ran out of time (the peer may only be slow, or cut off).
 */
export function fromServiceError(err: grpc.ServiceError): GokvError & { transport: boolean; unreachable?: boolean } {
  const raw = err.metadata?.get(ERROR_CODE_METADATA)[0];
  const code = typeof raw === 'string' && (ERROR_CODES as readonly string[]).includes(raw) ? (raw as ErrorCode) : undefined;
  if (code !== undefined) return Object.assign(new GokvError(code, err.details), { transport: false });
  // grpc-js's own "message larger than max": the call was too big, the peer is fine (marked as
  // transport it would read as the peer gone, and a pull would give up on a member leaving).
  if (err.code === grpc.status.RESOURCE_EXHAUSTED) {
    return Object.assign(new GokvError('LIMIT', `ERR ${err.details || 'message over limits.max_message_bytes'}`, { cause: err }), { transport: false });
  }
  const detail = err.details || grpc.status[err.code] || 'call failed';
  return Object.assign(new GokvError('UNAVAILABLE', `UNAVAILABLE ${detail}`, { cause: err }), {
    transport: true,
    unreachable: err.code === grpc.status.UNAVAILABLE,
  });
}
