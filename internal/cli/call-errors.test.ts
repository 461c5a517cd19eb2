import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { classifyCallError, diagnoseTls, summarize, type CallContext } from './call-errors.js';

const plain: CallContext = { uri: 'db1:50051', timeoutMs: 5000, usesTls: false, hasClientCert: false };
const tls: CallContext = { ...plain, usesTls: true };
const mtls: CallContext = { ...tls, hasClientCert: true };

const grpcError = (code: grpc.status, details: string, gokvCode?: string): grpc.ServiceError => {
  const metadata = new grpc.Metadata();
  if (gokvCode !== undefined) metadata.set('gokv-error-code', gokvCode);
  return Object.assign(new Error(details), { code, details, metadata });
};

describe('summarize', () => {
  it.each([
    ['No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ', 'connect ECONNREFUSED 127.0.0.1:1'],
    [
      'No connection established. Last error: 80FCA734E57F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n (2026-11-23T19:33:55.202Z). Resolution note: ',
      'tlsv13 alert certificate required',
    ],
    ['Name resolution failed for target dns:nowhere.invalid:5000', 'Name resolution failed for target dns:nowhere.invalid:5000'],
    ['', 'no detail'],
  ])('shortens %j', (detail, short) => {
    expect(summarize(detail)).toBe(short);
  });
});

describe('diagnoseTls', () => {
  it.each<[string, CallContext, string | undefined]>([
    ['self-signed certificate in certificate chain', tls, 'certificate signed by unknown authority'],
    ['unable to verify the first certificate', tls, 'certificate signed by unknown authority'],
    ['unable to get local issuer certificate', tls, 'certificate signed by unknown authority'],
    ["Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames", tls, 'not valid for db1'],
    ['certificate has expired', tls, 'has expired'],
    ['tlsv13 alert certificate required', tls, 'pass --cert and --key'],
    ['sslv3 alert handshake failure', tls, 'pass --cert and --key'],
    ['sslv3 alert bad certificate', mtls, 'rejected the client certificate'],
    ['tlsv1 alert unknown ca', mtls, 'does not trust the CA of the client certificate'],
    ['read ECONNRESET', tls, 'if the server requires a client certificate, pass --cert and --key'],
    ['read ECONNRESET', mtls, undefined],
    ['ssl3_get_record:wrong version number', tls, 'does not seem to speak TLS'],
    ['connect ECONNREFUSED 127.0.0.1:1', tls, undefined],
  ])('words %j', (detail, ctx, words) => {
    const said = diagnoseTls(detail, ctx);
    if (words === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(words);
  });
});

describe('classifyCallError', () => {
  it.each<[string, unknown, 'reply' | 'connection', boolean, string]>([
    ['a gokv reply error', grpcError(grpc.status.FAILED_PRECONDITION, 'WRONGTYPE Operation', 'WRONGTYPE'), 'reply', false, 'WRONGTYPE Operation'],
    ['gokv UNAVAILABLE', grpcError(grpc.status.UNAVAILABLE, 'UNAVAILABLE no owner', 'UNAVAILABLE'), 'connection', true, 'UNAVAILABLE no owner'],
    ['a refused connection', grpcError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 1.2.3.4:5. Resolution note: '), 'connection', true, 'could not connect to db1:50051: connect ECONNREFUSED 1.2.3.4:5'],
    ['a dropped connection (the command may have run)', grpcError(grpc.status.UNAVAILABLE, 'Connection dropped'), 'connection', false, 'may or may not have been applied'],
    ['a TLS failure', grpcError(grpc.status.UNAVAILABLE, 'self-signed certificate'), 'connection', false, 'TLS error talking to db1:50051: certificate signed by unknown authority'],
    ['a deadline before connecting', grpcError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), 'connection', false, 'could not connect to db1:50051 within 5000 ms'],
    ['an HTTP answer', grpcError(grpc.status.UNIMPLEMENTED, 'Received HTTP status code 404'), 'connection', false, 'db1:50051 is not a gokv gRPC server'],
    ['a REST or RESP port (not HTTP/2)', grpcError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Protocol error (2026-11-28T22:41:18.639Z). Resolution note: '), 'connection', false, "db1:50051 does not speak gRPC (Protocol error): is it gokv's REST or Redis port? gokv-cli talks to a node's external gRPC port"],
    ['the internal port', grpcError(grpc.status.UNIMPLEMENTED, 'The server does not implement the method /externalpb.ExternalServer/Healthcheck'), 'connection', false, "db1:50051 does not serve gokv's client API: is it the internal cluster port (GOKV_CLUSTER_BIND_ADDR)?"],
    ['another UNIMPLEMENTED', grpcError(grpc.status.UNIMPLEMENTED, 'The server does not implement the method /other.Service/Call'), 'reply', false, 'The server does not implement the method /other.Service/Call'],
    ['an older server error', grpcError(grpc.status.INVALID_ARGUMENT, 'unknown command: FOO'), 'reply', false, 'unknown command: FOO'],
    ['a reply that cannot be decoded', new RangeError('bad msgpack'), 'reply', false, 'ERR cannot read the reply: bad msgpack'],
  ])('sorts %s', (_name, err, kind, retryable, message) => {
    const sorted = classifyCallError(err, plain);
    expect({ kind: sorted.failure.kind, retryable: sorted.retryable }).toEqual({ kind, retryable });
    expect(sorted.failure.message).toContain(message);
  });

  it('says a connected call that timed out got no reply', () => {
    const { failure } = classifyCallError(grpcError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), { ...plain, connected: true });
    expect(failure.message).toBe('no reply from db1:50051 within 5000 ms');
  });

  it('hints at --ca when a plaintext client cannot talk to the server', () => {
    const { failure } = classifyCallError(grpcError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Failed to connect (2026-01-01T00:00:00.000Z). Resolution note: '), plain);
    expect(failure.message).toBe('could not connect to db1:50051: Failed to connect (if the server uses TLS, pass --ca)');
  });
});
