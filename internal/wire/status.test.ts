import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GokvError, type ErrorCode } from '../errors/index.js';
import { fromServiceError, toServiceError } from './index.js';

const asServiceError = (s: Partial<grpc.StatusObject>): grpc.ServiceError =>
  Object.assign(new Error(s.details), { code: s.code!, details: s.details!, metadata: s.metadata! });

describe('status mapping', () => {
  it.each<[ErrorCode, string, grpc.status]>([
    ['ERR', "ERR wrong number of arguments for 'hset' command", grpc.status.INVALID_ARGUMENT],
    ['WRONGTYPE', 'WRONGTYPE Operation against a key holding the wrong kind of value', grpc.status.FAILED_PRECONDITION],
    ['OOM', "OOM command not allowed when used memory > 'maxmemory'", grpc.status.RESOURCE_EXHAUSTED],
    ['UNAVAILABLE', 'UNAVAILABLE no owner reachable', grpc.status.UNAVAILABLE],
  ])('maps %s to its gRPC status and back, keeping code and message', (code, message, status) => {
    const wire = toServiceError(new GokvError(code, message));
    expect(wire.code).toBe(status);
    expect(wire.details).toBe(message);
    const back = fromServiceError(asServiceError(wire));
    expect(back.code).toBe(code);
    expect(back.message).toBe(message);
    expect(back.transport).toBe(false);
  });

  it('treats an error without gokv metadata as a transport failure', () => {
    const err = fromServiceError(
      asServiceError({ code: grpc.status.UNAVAILABLE, details: 'No connection established', metadata: new grpc.Metadata() }),
    );
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.transport).toBe(true);
    expect(err.unreachable).toBe(true);
  });

  it('tells a call that ran out of time (the peer may be slow or cut off) from a failed connection', () => {
    const err = fromServiceError(
      asServiceError({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded', metadata: new grpc.Metadata() }),
    );
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.transport).toBe(true);
    expect(err.unreachable).toBe(false);
  });

  it("reads grpc-js's own message-size refusal as LIMIT, not as the peer gone", () => {
    const details = 'Received message larger than max (3145800 vs 1048576)';
    const err = fromServiceError(asServiceError({ code: grpc.status.RESOURCE_EXHAUSTED, details, metadata: new grpc.Metadata() }));
    expect(err.code).toBe('LIMIT');
    expect(err.message).toBe(`ERR ${details}`);
    expect(err.transport).toBe(false);
  });

  it('hides unexpected exceptions behind INTERNAL', () => {
    const wire = toServiceError(new TypeError('boom'));
    expect(wire.code).toBe(grpc.status.INTERNAL);
    expect(wire.details).toBe('INTERNAL boom');
  });
});
