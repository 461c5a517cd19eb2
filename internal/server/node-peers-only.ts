import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** One warning per certificate subject per this long: a refused peer retries every heartbeat. */
const WARN_EVERY_MS = 60_000;

/**
 * Why the peer of an internal call is not a node, or undefined when it may be one. Mutual TLS has
 * already checked the certificate against the internal CA in the handshake; this tells a node's
 * certificate (certs.sh gives nodes serverAuth and clientAuth) from an application's (clientAuth
 * only) when one CA signs both, so a client certificate cannot forward, replicate or gossip on
 * the cluster port. A certificate without an extended key usage is good for any purpose and
 * passes; over plaintext there is nothing to check.
 */
export function notANodeCertificate(auth: ReturnType<grpc.ServerUnaryCall<unknown, unknown>['getAuthContext']>): string | undefined {
  const cert = auth.sslPeerCertificate;
  if (auth.transportSecurityType !== 'ssl' || cert === undefined) return undefined;
  const usage = cert.ext_key_usage;
  if (usage === undefined || (usage.includes(SERVER_AUTH) && usage.includes(CLIENT_AUTH))) return undefined;
  return `the peer's certificate (${cert.subject?.CN ?? 'no CN'}) is not a node certificate: the cluster port needs one for both serverAuth and clientAuth`;
}

/**
 * `handlers` with every call from a peer that is not a node refused (PERMISSION_DENIED) before
 * it reaches the service, and a warning logged once a minute per certificate subject.
 */
export function nodePeersOnly<H extends grpc.UntypedServiceImplementation>(
  handlers: H,
  definition: grpc.ServiceDefinition,
  log: Logger,
  nowMs: () => number = Date.now,
): H {
  const warned = new Map<string, number>();
  const refuse = (why: string, method: string): grpc.ServiceError => {
    const last = warned.get(why);
    if (last === undefined || nowMs() - last >= WARN_EVERY_MS) {
      warned.set(why, nowMs());
      log.warn({ method }, `internal call refused: ${why}`);
    }
    return Object.assign(new Error(why), { code: grpcStatus.PERMISSION_DENIED, details: `PERMISSION_DENIED ${why}`, metadata: undefined as never });
  };
  const out: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const method = definition[name]!;
    const guarded = (call: grpc.ServerUnaryCall<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>): void => {
      const why = notANodeCertificate(call.getAuthContext());
      if (why === undefined) return (handler as (c: unknown, cb?: unknown) => void)(call, callback);
      const error = refuse(why, name);
      // Unary and client-streaming calls answer through their callback; the others end with the status.
      if (!method.responseStream) callback!(error, null);
      else call.emit('error', error);
    };
    out[name] = guarded as grpc.UntypedHandleCall;
  }
  return out as H;
}
