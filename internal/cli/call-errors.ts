import * as grpc from '@grpc/grpc-js';
import { fromServiceError } from '../wire/index.js';
import type { OtherProtocol } from './protocol-probe.js';

/** What the user sees when a call fails: a reply error (exit 1) or no answer (exit 3). */
export class CallFailure extends Error {
  constructor(
    readonly kind: 'reply' | 'connection',
    message: string,
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}

/** What the classifier needs to word a transport failure. */
export interface CallContext {
  uri: string;
  timeoutMs: number;
  usesTls: boolean;
  hasClientCert: boolean;
  /** Whether the channel was connected when the call failed (words a deadline). */
  connected?: boolean;
}

const GRPC_PORT_HINT = "gokv-cli talks to a node's external gRPC port (GOKV_EXTERNAL_GRPC_BIND_ADDR, default 50051)";

/** The failure for a port that answered the HTTP/2 preface in another protocol, once the probe told which. */
export function otherProtocolFailure(uri: string, protocol: OtherProtocol): CallFailure {
  const what =
    protocol === 'http'
      ? "answers HTTP/1.1, not gRPC: it looks like gokv's REST port (GOKV_EXTERNAL_REST_BIND_ADDR), where curl works"
      : "answers the Redis protocol, not gRPC: it looks like gokv's RESP port (GOKV_EXTERNAL_RESP_BIND_ADDR), where redis-cli works";
  return new CallFailure('connection', `${uri} ${what}. ${GRPC_PORT_HINT}`);
}

/** grpc-js's wording when no connection carried the call: it surely was not applied. */
const NOT_SENT = /No connection established|Failed to connect|ECONNREFUSED|Name resolution failed|ENOTFOUND|EAI_AGAIN/i;

/**
 * Sorts a failed call. Errors that carry gokv's error code are replies (WRONGTYPE, ERR ...),
 * except UNAVAILABLE, which is retried. Without a code (the transport failed, or an older
 * server answered), UNAVAILABLE is retried unless it is a TLS failure, which never heals by
 * itself; a client-side deadline is final; other statuses are reply errors with their details.
 */
export function classifyCallError(
  thrown: unknown,
  ctx: CallContext,
): { failure: CallFailure; retryable: boolean; notGrpc?: true } {
  if (!isServiceError(thrown)) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { failure: new CallFailure('reply', `ERR cannot read the reply: ${message}`), retryable: false };
  }
  const err = thrown;
  const gokv = fromServiceError(err);
  if (!gokv.transport) {
    if (gokv.code === 'UNAVAILABLE') return { failure: new CallFailure('connection', gokv.message), retryable: true };
    return { failure: new CallFailure('reply', gokv.message), retryable: false };
  }
  const detail = err.details ?? '';
  switch (err.code) {
    case grpc.status.UNAVAILABLE: {
      const tls = diagnoseTls(detail, ctx);
      if (tls !== undefined) {
        return { failure: new CallFailure('connection', `TLS error talking to ${ctx.uri}: ${tls} (${summarize(detail)})`), retryable: false };
      }
      // A server that answered the HTTP/2 preface with something else (REST's HTTP/1, Redis's
      // RESP): asking again cannot help.
      if (/Last error: Protocol error/.test(detail)) {
        return {
          failure: new CallFailure('connection', `${ctx.uri} does not speak gRPC (${summarize(detail)}): is it gokv's REST or Redis port? ${GRPC_PORT_HINT}`),
          retryable: false,
          notGrpc: true,
        };
      }
      const hint = !ctx.usesTls && /Failed to connect|Connection dropped/i.test(detail) ? ' (if the server uses TLS, pass --ca)' : '';
      // A connection that dropped after the call went out may have carried it: running the
      // command again could apply a write twice (an RPUSH), so only "never connected" retries.
      if (!NOT_SENT.test(detail)) {
        return {
          failure: new CallFailure('connection', `lost the connection to ${ctx.uri} before the reply (${summarize(detail)})${hint}: the command may or may not have been applied`),
          retryable: false,
        };
      }
      return { failure: new CallFailure('connection', `could not connect to ${ctx.uri}: ${summarize(detail)}${hint}`), retryable: true };
    }
    case grpc.status.DEADLINE_EXCEEDED:
      return {
        failure: new CallFailure(
          'connection',
          ctx.connected === true
            ? `no reply from ${ctx.uri} within ${ctx.timeoutMs} ms`
            : `could not connect to ${ctx.uri} within ${ctx.timeoutMs} ms`,
        ),
        retryable: false,
      };
    case grpc.status.CANCELLED:
      return { failure: new CallFailure('connection', `call to ${ctx.uri} cancelled: ${summarize(detail)}`), retryable: false };
    case grpc.status.UNIMPLEMENTED:
      // gokv's internal port serves gRPC too, but not the client API.
      if (/externalpb\.ExternalServer\//.test(detail)) {
        return {
          failure: new CallFailure('connection', `${ctx.uri} does not serve gokv's client API: is it the internal cluster port (GOKV_CLUSTER_BIND_ADDR)? ${GRPC_PORT_HINT}`),
          retryable: false,
        };
      }
      return otherStatus(err, ctx);
    default:
      return otherStatus(err, ctx);
  }
}

/** A status gokv's client does not sort further: an HTTP answer, or a reply error with its details. */
function otherStatus(err: grpc.ServiceError, ctx: CallContext): { failure: CallFailure; retryable: boolean } {
  const detail = err.details ?? '';
  if (/^Received HTTP status code/.test(detail)) {
    // Something answered HTTP/2 but not as gRPC (a proxy, a web server on that port).
    return { failure: new CallFailure('connection', `${ctx.uri} is not a gokv gRPC server (${detail})`), retryable: false };
  }
  return { failure: new CallFailure('reply', detail || grpc.status[err.code] || 'call failed'), retryable: false };
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}

interface TlsRule {
  test: RegExp;
  when?: (ctx: CallContext) => boolean;
  say: (ctx: CallContext) => string;
}

const CLIENT_CERT_HINT =
  'the server requires a client certificate: pass --cert and --key (or set GOKV_CLIENT_CERT and GOKV_CLIENT_KEY)';

/** grpc-js/OpenSSL wordings of TLS failures, as Go's crypto/tls would say them. First match wins. */
const TLS_RULES: readonly TlsRule[] = [
  {
    test: /self[- ]signed certificate|unable to get local issuer certificate|unable to verify the first certificate|unable to get issuer certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|certificate signed by unknown authority/i,
    say: () => 'certificate signed by unknown authority (check --ca / GOKV_CLIENT_CA)',
  },
  {
    test: /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i,
    say: (ctx) => `the server's certificate is not valid for ${hostOf(ctx.uri)}`,
  },
  { test: /certificate has expired|CERT_HAS_EXPIRED/i, say: () => 'the server certificate has expired' },
  { test: /certificate is not yet valid|CERT_NOT_YET_VALID/i, say: () => 'the server certificate is not yet valid' },
  {
    test: /certificate required|alert handshake failure|alert bad certificate|peer did not return a certificate/i,
    say: (ctx) => (ctx.hasClientCert ? 'the server rejected the client certificate' : CLIENT_CERT_HINT),
  },
  {
    // tls-probe.ts's finding: a TLS 1.3 server that refuses the certificate just hangs up.
    test: /closed the connection right after the TLS handshake/,
    say: (ctx) =>
      ctx.hasClientCert
        ? 'the server refused the client certificate (from another CA, expired, or not one for clients)'
        : CLIENT_CERT_HINT,
  },
  {
    test: /alert unknown ca/i,
    say: (ctx) => (ctx.hasClientCert ? 'the server does not trust the CA of the client certificate' : CLIENT_CERT_HINT),
  },
  {
    test: /wrong version number|packet length too long|unknown protocol|http request/i,
    say: () => 'TLS handshake failed: the server does not seem to speak TLS (drop --ca?)',
  },
  {
    // TLS 1.2 servers that require a certificate may just close the connection mid-handshake.
    test: /ECONNRESET|socket hang up|Connection dropped|before secure TLS connection/i,
    when: (ctx) => ctx.usesTls && !ctx.hasClientCert,
    say: () => 'the connection closed during the TLS handshake; if the server requires a client certificate, pass --cert and --key',
  },
];

/** A clear wording of a TLS failure hidden in a gRPC detail, or undefined if it is not one. */
export function diagnoseTls(detail: string, ctx: CallContext): string | undefined {
  for (const rule of TLS_RULES) {
    if (rule.test.test(detail) && (rule.when?.(ctx) ?? true)) return rule.say(ctx);
  }
  return undefined;
}

/** grpc-js's "No connection established. Last error: Error: X. Resolution note: " as "X". */
export function summarize(detail: string): string {
  const text = detail
    .replace(/^No connection established\. Last error: /, '')
    .replace(/\.? ?Resolution note: .*$/s, '')
    .replace(/^Error(?: \[[A-Z_]+\])?: /, '')
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):.*$/s, '$1')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text || 'no detail';
}

function hostOf(uri: string): string {
  const bare = uri.replace(/^(?:dns|ipv4|ipv6):(?:\/\/[^/]*\/)?/i, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const colon = bare.lastIndexOf(':');
  return colon < 0 ? bare : bare.slice(0, colon);
}
